namespace ActorContractivity.NeuralOde.Training;

/// <summary>
/// Adam (Kingma &amp; Ba): moment estimates m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², and the
/// step θ ← θ − α m̂ / (√v̂ + ε) with the bias-corrected m̂, v̂.
/// </summary>
public sealed class Adam(int parameterCount, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
{
    private readonly double[] _m = new double[parameterCount];
    private readonly double[] _v = new double[parameterCount];
    private int _steps;

    /// <summary>Updates the ranges of <paramref name="parameters"/> listed in <paramref name="ranges"/>.</summary>
    public void Step(
        Span<double> parameters, ReadOnlySpan<double> gradient, double learningRate,
        IReadOnlyList<(int Offset, int Length)> ranges)
    {
        _steps++;
        var correction1 = 1 - Math.Pow(beta1, _steps);
        var correction2 = 1 - Math.Pow(beta2, _steps);
        foreach (var (offset, length) in ranges)
        {
            for (var k = offset; k < offset + length; k++)
            {
                var g = gradient[k];
                _m[k] = beta1 * _m[k] + (1 - beta1) * g;
                _v[k] = beta2 * _v[k] + (1 - beta2) * g * g;
                parameters[k] -= learningRate * (_m[k] / correction1) / (Math.Sqrt(_v[k] / correction2) + epsilon);
            }
        }
    }
}
