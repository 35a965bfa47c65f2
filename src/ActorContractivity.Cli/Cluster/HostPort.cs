using System.Globalization;
using ActorContractivity.Cli.Loading;

namespace ActorContractivity.Cli.Cluster;

/// <summary>HOST:PORT addresses of cluster nodes on the command line.</summary>
public static class HostPort
{
    /// <summary>Checks a HOST:PORT address and returns it unchanged.</summary>
    /// <exception cref="InputException">It is not HOST:PORT with a port in 1–65535.</exception>
    public static string Parse(string option, string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture,
                out var port) || port is < 1 or > 65535)
        {
            throw new InputException($"{option}: expected HOST:PORT with a port in 1–65535, got '{address}'");
        }

        return address;
    }
}
