using ActorContractivity.Cli;
using ActorContractivity.Cli.Cluster;

Interruption.Listen(args, Console.Error);
var exitCode = CliApplication.Run(args, Console.Out, Console.Error);
if (exitCode == CliApplication.Interrupted)
{
    // A worker thread may still be inside a long Core call that nothing can cancel; do not wait for it.
    Environment.Exit(exitCode);
}

InProcessCluster.Stop();
return exitCode;
