namespace ActorContractivity.Deploy.Tests;

/// <summary>Plain GETs against a node's endpoints.</summary>
public static class Http
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(3) };

    /// <summary>The status code of a GET, or 0 when nothing answers.</summary>
    public static int Status(string url)
    {
        try
        {
            using var response = Client.GetAsync(url).GetAwaiter().GetResult();
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }
}
