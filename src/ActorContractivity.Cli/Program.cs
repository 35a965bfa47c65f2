using ActorContractivity.Cli;
using ActorContractivity.Cli.Cluster;

var exitCode = CliApplication.Run(args, Console.Out, Console.Error);
InProcessCluster.Stop();
return exitCode;
