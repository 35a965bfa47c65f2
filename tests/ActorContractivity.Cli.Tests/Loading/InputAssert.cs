using ActorContractivity.Cli.Loading;

namespace ActorContractivity.Cli.Tests.Loading;

/// <summary>Assertions on the one-line messages of <see cref="InputException"/>.</summary>
public static class InputAssert
{
    /// <summary>
    /// Asserts that <paramref name="load"/> throws an <see cref="InputException"/> whose message is one line,
    /// names no exception type, and contains every fragment; returns the message.
    /// </summary>
    public static string Throws(Action load, params string[] fragments)
    {
        var message = Assert.Throws<InputException>(load).Message;
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
        Assert.DoesNotContain("Exception", message);
        Assert.DoesNotContain("   at ", message);
        foreach (var fragment in fragments)
        {
            // Assert.Contains would elide both strings; the whole message is what needs reading when this fails.
            Assert.True(message.Contains(fragment, StringComparison.Ordinal),
                $"expected the message to contain{Environment.NewLine}  {fragment}{Environment.NewLine}"
                + $"but it is{Environment.NewLine}  {message}");
        }

        return message;
    }
}
