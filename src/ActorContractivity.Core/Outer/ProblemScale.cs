using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Outer;

/// <summary>
/// Brings a flow question to unit scale. The solvers decide with absolute margins (eigen-solver tolerances, the
/// bound's proof margin, polish thresholds) that are right for log-norms of order one; a model whose weights are
/// 1e-10 or 1e10 would otherwise be decided by rounding noise. Since μ(αM) = α μ(M) for α &gt; 0,
/// φ_J(θ) ≤ c ⇔ φ_{J/S}(θ) ≤ c/S: dividing the first layer of every sample by S and c by S asks the same
/// question, and every log-norm of the answer is S times the scaled one. S is a power of two, so the scaling is exact
/// in floating point, and models within a factor <see cref="DeadZone"/> of unit scale are left untouched (S = 1), so
/// their answers do not change by a bit. The discrete step needs nothing: ‖I + hDJ‖ is already relative to 1.
/// </summary>
public sealed class ProblemScale
{
    /// <summary>Models whose scale lies within [1/DeadZone, DeadZone] are not rescaled.</summary>
    public const double DeadZone = 256;

    private ProblemScale(NeuralOdeModel model, IntervalQuestion question, double factor, IntervalQuestion original)
    {
        Model = model;
        Question = question;
        Factor = factor;
        Original = original;
    }

    /// <summary>The model at unit scale (the original when <see cref="Factor"/> is 1).</summary>
    public NeuralOdeModel Model { get; }

    /// <summary>The question at unit scale: c / S.</summary>
    public IntervalQuestion Question { get; }

    /// <summary>S: the original log-norms are S times those of <see cref="Model"/>.</summary>
    public double Factor { get; }

    /// <summary>The question as asked.</summary>
    public IntervalQuestion Original { get; }

    /// <summary>
    /// Chooses S = 2^round(log₂ max_s ∏_j (max|A_j| · θ_max)), θ_max the largest slope of the search range, the
    /// scale of D·J over the samples whose weights are not all zero.
    /// </summary>
    public static ProblemScale For(NeuralOdeModel model, IntervalQuestion question)
    {
        var slope = Math.Max(question.Fixed, question.FarEnd);
        var logScale = double.NegativeInfinity;
        foreach (var sample in model.Samples)
        {
            var log = 0.0;
            foreach (var layer in sample.Layers)
            {
                var largest = 0.0;
                foreach (var v in layer.RowMajorValues)
                {
                    largest = Math.Max(largest, Math.Abs(v));
                }

                log += Math.Log2(largest) + Math.Log2(slope);
            }

            if (double.IsFinite(log))
            {
                logScale = Math.Max(logScale, log);
            }
        }

        if (question.DiscreteStep is not null || !double.IsFinite(logScale)
            || Math.Abs(logScale) <= Math.Log2(DeadZone))
        {
            return new ProblemScale(model, question, 1.0, question);
        }

        var factor = Math.ScaleB(1.0, (int)Math.Round(logScale));
        var samples = model.Samples
            .Select(s => new Sample(s.Time, [Divide(s.Layers[0], factor), .. s.Layers.Skip(1)]))
            .ToArray();
        return new ProblemScale(new NeuralOdeModel(samples), question with { C = question.C / factor }, factor,
            question);
    }

    /// <summary>The answer to the original question, from the answer at unit scale.</summary>
    public IntervalAnswer Restore(IntervalAnswer answer)
    {
        if (Factor == 1.0)
        {
            return answer;
        }

        var s = Factor;
        return answer with
        {
            Question = Original,
            ValueAtFixed = s * answer.ValueAtFixed,
            Witness = answer.Witness with
            {
                Value = s * answer.Witness.Value,
                Gradient = answer.Witness.Gradient.Select(g => s * g).ToArray(),
                Residual = s * answer.Witness.Residual,
            },
            Steps = answer.Steps.Select(step => step with { Phi = s * step.Phi, Derivative = s * step.Derivative })
                .ToArray(),
            Certificate = answer.Certificate is { } certificate
                ? certificate with
                {
                    BoundValue = s * certificate.BoundValue,
                    Multipliers = certificate.Multipliers.Select(m => m.Select(l => s * l).ToArray()).ToArray(),
                }
                : null,
        };
    }

    /// <summary>A log-norm of the scaled problem in the original units (progress reports).</summary>
    public double Restore(double logNorm) => Factor * logNorm;

    private static Matrix Divide(Matrix a, double factor)
    {
        var values = a.RowMajorValues.ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] /= factor;
        }

        return Matrix.FromRowMajor(a.Rows, a.Cols, values);
    }
}
