using ActorContractivity.Core.Norms;

namespace ActorContractivity.Core.Outer;

/// <summary>Which end of the slope interval [ℓ, u] is searched for.</summary>
public enum TunedEnd
{
    /// <summary>u is fixed; find the smallest ℓ.</summary>
    Lower,

    /// <summary>ℓ is fixed; find the largest u.</summary>
    Upper,
}

/// <summary>
/// The question asked of a model: the largest slope interval on which μ(D J) ≤ c holds for every slope pattern.
/// </summary>
/// <param name="C">The contraction bound c (0: non-expansive, negative: contractive at rate |c|).</param>
/// <param name="Tune">Which end is searched.</param>
/// <param name="Fixed">The fixed end: u for <see cref="TunedEnd.Lower"/>, ℓ for <see cref="TunedEnd.Upper"/>.</param>
/// <param name="Limit">The far end of the search range of the tuned end; null for the default
/// (0 when tuning ℓ, <see cref="DefaultUpperLimitFactor"/> · max(fixed, 1) when tuning u).</param>
/// <param name="Norm">The logarithmic norm.</param>
/// <param name="DiscreteStep">Explicit Euler step h of the discrete model, or null for the flow.</param>
/// <param name="Tolerance">Absolute tolerance on the tuned end.</param>
public sealed record IntervalQuestion(
    double C = 0.0,
    TunedEnd Tune = TunedEnd.Lower,
    double Fixed = 1.0,
    double? Limit = null,
    LogNormKind Norm = LogNormKind.Two,
    double? DiscreteStep = null,
    double Tolerance = 1e-8)
{
    /// <summary>When tuning u, the search stops at this multiple of max(fixed, 1) unless told otherwise.</summary>
    public const double DefaultUpperLimitFactor = 100.0;

    /// <summary>The far end of the search range.</summary>
    public double FarEnd => Limit ?? (Tune == TunedEnd.Lower ? 0.0 : DefaultUpperLimitFactor * Math.Max(Fixed, 1.0));

    /// <summary>The box [ℓ, u] when the tuned end is θ.</summary>
    public (double Lower, double Upper) Box(double theta) => Tune == TunedEnd.Lower ? (theta, Fixed) : (Fixed, theta);

    /// <summary>Checks the settings; returns (option, problem) for the first invalid one, or null.</summary>
    public (string Option, string Problem)? Validate()
    {
        if (!double.IsFinite(C))
        {
            return ("--c", $"must be a finite number, got {C}");
        }

        if (!double.IsFinite(Fixed) || (Tune == TunedEnd.Lower ? Fixed <= 0 : Fixed < 0))
        {
            return ("--fixed", Tune == TunedEnd.Lower
                ? $"the fixed upper slope must be a finite number > 0, got {Fixed}"
                : $"the fixed lower slope must be a finite number ≥ 0, got {Fixed}");
        }

        if (Limit is { } limit)
        {
            if (!double.IsFinite(limit))
            {
                return ("--limit", $"must be a finite number, got {limit}");
            }

            if (Tune == TunedEnd.Lower && (limit < 0 || limit >= Fixed))
            {
                return ("--limit", $"the tuned lower end must lie in [0, fixed) = [0, {Fixed}), got {limit}");
            }

            if (Tune == TunedEnd.Upper && limit <= Fixed)
            {
                return ("--limit", $"the tuned upper end must lie above the fixed lower end {Fixed}, got {limit}");
            }
        }

        if (DiscreteStep is { } h && (!double.IsFinite(h) || h <= 0))
        {
            return ("--discrete", $"the step h must be a finite number > 0, got {h}");
        }

        if (!double.IsFinite(Tolerance) || Tolerance <= 0 || Tolerance > 0.1)
        {
            return ("--tol", $"must lie in (0, 0.1], got {Tolerance}");
        }

        return null;
    }
}
