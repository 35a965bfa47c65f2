using Akka.Actor;
using Akka.Hosting;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorContractivity.Cluster.Tests;

/// <summary>
/// An actor system configured by the production Akka.Hosting extension methods, for a TestKit spec to run in:
/// the spec passes it to its TestKit base, which shuts it down at the end; the host goes with it.
/// </summary>
public static class HostedActorSystem
{
    /// <summary>
    /// Starts a host whose actor system is configured by <paramref name="configure"/> (and the TestKit).
    /// </summary>
    public static ActorSystem Start(Action<AkkaConfigurationBuilder> configure)
    {
        var builder = new HostBuilder();
        builder.ConfigureServices(services => services.AddAkka("spec", akka =>
        {
            akka.AddHocon("akka { loglevel = WARNING, stdout-loglevel = WARNING }", HoconAddMode.Prepend);
            configure(akka);
            akka.AddHocon(TestKit.DefaultConfig, HoconAddMode.Append);
        }));
        var host = builder.Build();
        host.Start();
        var system = host.Services.GetRequiredService<ActorSystem>();
        system.WhenTerminated.ContinueWith(_ => host.Dispose(), TaskScheduler.Default);
        return system;
    }
}
