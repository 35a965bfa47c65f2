using ActorContractivity.Core.Eigen;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Core.Certify;

/// <summary>A proven end of the slope interval.</summary>
/// <param name="SafeEnd">The tuned end from which the bound proves μ₂(D·J) ≤ c for every D in the box.</param>
/// <param name="BoundValue">The largest estimated U over samples at <paramref name="SafeEnd"/>.</param>
/// <param name="Bisections">Bound minimisations spent in the search.</param>
/// <param name="Multipliers">Per sample, the λ whose M(λ) the Cholesky check proved below c: with them anyone can
/// re-check the proof.</param>
public sealed record SafeEndCertificate(double SafeEnd, double BoundValue, int Bisections, double[][] Multipliers);

/// <summary>
/// ℓ_safe (or u_safe): the tuned end closest to the witness end at which the matrix cube bound proves (★) for every
/// sample. Bisection runs on Lanczos estimates of min_λ U; the end it settles on is then proven by the dense
/// Cholesky check of <see cref="MatrixCubeBound.ProvesBelow"/>, moving towards the fixed end until a check succeeds.
/// Applies to one-layer flows in the 2-norm; other models have no bound yet.
/// </summary>
public static class BoundCertifier
{
    /// <summary>Whether the bound applies to this model and question.</summary>
    public static bool Applies(NeuralOdeModel model, IntervalQuestion question) =>
        question.Norm == Norms.LogNormKind.Two && question.DiscreteStep is null
        && model.Samples.All(s => s.Layers.Count == 1);

    /// <summary>
    /// Finds and proves the safe end between the witness end and the fixed end, or returns null. The bisection
    /// stops when the safe end is known to within the tolerance or to 1% of the bracket's width, whichever is
    /// coarser, or when <paramref name="seconds"/> have passed; the proof of the end reached then follows.
    /// </summary>
    public static SafeEndCertificate? Find(
        NeuralOdeModel model, IntervalQuestion question, double witnessEnd, LanczosOptions lanczos, int seed,
        double seconds = double.PositiveInfinity)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (!Applies(model, question))
        {
            throw new ArgumentException("the matrix cube bound covers one-layer flows in the 2-norm only");
        }

        var c = question.C;
        var random = new Random(seed);
        var multipliers = new double[model.Samples.Count][];
        var bisections = 0;

        // The smallest decidable margin: below it Lanczos estimates cannot separate U from c.
        var margin = 1e-9 * Math.Max(1.0, Math.Abs(c));
        (bool Safe, double Worst) Estimate(double theta)
        {
            bisections++;
            var (lower, upper) = question.Box(theta);
            var worst = double.NegativeInfinity;
            for (var s = 0; s < model.Samples.Count; s++)
            {
                var bound = MatrixCubeBound.ForBox(model.Samples[s].Layers[0], lower, upper);
                var (value, lambda) = bound.Minimise(multipliers[s], lanczos, random, target: c - margin);
                multipliers[s] = lambda;
                worst = Math.Max(worst, value);
                if (!double.IsFinite(value) || !double.IsFinite(c))
                {
                    throw new InvalidOperationException($"the matrix cube bound of sample {s} evaluated to {value}: "
                        + "the computation left the floating-point range, so it proves nothing");
                }

                if (value > c - margin)
                {
                    return (false, worst);
                }
            }

            return (true, worst);
        }

        var unsafeEnd = witnessEnd;
        var safeEnd = question.Fixed;
        var atWitness = Estimate(witnessEnd);
        if (atWitness.Safe)
        {
            safeEnd = witnessEnd;
        }
        else
        {
            while (Math.Abs(safeEnd - unsafeEnd) > Math.Max(question.Tolerance, 0.01 * Math.Abs(safeEnd - witnessEnd))
                && clock.Elapsed.TotalSeconds < seconds)
            {
                var mid = 0.5 * (unsafeEnd + safeEnd);
                if (Estimate(mid).Safe)
                {
                    safeEnd = mid;
                }
                else
                {
                    unsafeEnd = mid;
                }
            }
        }

        // Prove the end found; if rounding defeats the proof, retreat towards the fixed end a little at a time.
        var step = Math.Max(question.Tolerance, 1e-6 * Math.Abs(question.Fixed - witnessEnd));
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var estimate = Estimate(safeEnd);
            if (estimate.Safe && Proves(model, question, safeEnd, multipliers, c))
            {
                return new SafeEndCertificate(
                    safeEnd, estimate.Worst, bisections, multipliers.Select(m => (double[])m.Clone()).ToArray());
            }

            safeEnd += Math.Sign(question.Fixed - safeEnd) * step;
            step *= 4;
            if (Math.Sign(question.Fixed - safeEnd) != Math.Sign(question.Fixed - witnessEnd))
            {
                break;
            }
        }

        return null;
    }

    private static bool Proves(
        NeuralOdeModel model, IntervalQuestion question, double theta, double[][] multipliers, double c)
    {
        var (lower, upper) = question.Box(theta);
        for (var s = 0; s < model.Samples.Count; s++)
        {
            var bound = MatrixCubeBound.ForBox(model.Samples[s].Layers[0], lower, upper);
            if (!bound.ProvesBelow(multipliers[s], c))
            {
                return false;
            }
        }

        return true;
    }
}
