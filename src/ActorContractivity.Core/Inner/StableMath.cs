namespace ActorContractivity.Core.Inner;

/// <summary>ln(1 + x) and eˣ − 1 accurate for small x, which the discrete-step objective needs as h → 0.</summary>
public static class StableMath
{
    /// <summary>ln(1 + x) for x &gt; −1, accurate to a few ulps also when |x| is tiny.</summary>
    public static double Log1P(double x)
    {
        var u = 1.0 + x;
        if (u == 1.0)
        {
            return x;
        }

        // The rounding error of 1 + x cancels in the ratio (Goldberg's trick).
        return Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>eˣ − 1, accurate to a few ulps also when |x| is tiny.</summary>
    public static double ExpM1(double x)
    {
        var u = Math.Exp(x);
        if (u == 1.0)
        {
            return x;
        }

        var um1 = u - 1.0;
        if (um1 == -1.0)
        {
            return -1.0;
        }

        return double.IsPositiveInfinity(u) ? u : um1 * x / Math.Log(u);
    }
}
