using System.Numerics.Tensors;
using ActorContractivity.Core.Eigen;
using ActorContractivity.NeuralOde.Datasets;
using ActorContractivity.NeuralOde.Model;

namespace ActorContractivity.NeuralOde.Attacks;

/// <summary>What to measure.</summary>
/// <param name="Epsilons">ℓ∞ budgets of FGSM and PGD.</param>
/// <param name="NoiseLevels">Standard deviations of the Gaussian pixel noise.</param>
/// <param name="PgdSteps">Steps of PGD.</param>
/// <param name="PgdStepFactor">PGD's step is this times ε / steps.</param>
/// <param name="Seed">Seed of PGD's random starts, the noise and the starts of the most expanded direction's
/// search.</param>
public sealed record RobustnessOptions(
    IReadOnlyList<double> Epsilons,
    IReadOnlyList<double> NoiseLevels,
    int PgdSteps = 20,
    double PgdStepFactor = 2.5,
    int Seed = 0)
{
    /// <summary>Relative size of the state perturbation along the most expanded direction.</summary>
    public const double DirectionStep = 1e-3;

    /// <summary>
    /// How the most expanded direction is found: Lanczos on JᵀJ until its residual is at most this relative
    /// tolerance, or this many products (dense below 24 dimensions).
    /// </summary>
    public static LanczosOptions Direction { get; } = new(RelativeTolerance: 1e-10, MaxProducts: 1000);
}

/// <summary>Contraction ratios ‖u(T) − v(T)‖ / ‖u₀ − v₀‖ over a set of pairs.</summary>
public sealed record ContractionSummary(int Pairs, double Max, double Median)
{
    /// <summary>The summary of a list of ratios (empty: zero pairs, NaN statistics).</summary>
    public static ContractionSummary Of(IEnumerable<double> ratios)
    {
        var sorted = ratios.Order().ToArray();
        return sorted.Length == 0
            ? new ContractionSummary(0, double.NaN, double.NaN)
            : new ContractionSummary(sorted.Length, sorted[^1], sorted[sorted.Length / 2]);
    }
}

/// <summary>‖J‖₂ of the Euler map at every test digit, and what finding it cost.</summary>
/// <param name="Digits">The digits measured.</param>
/// <param name="Max">The largest ‖J‖₂.</param>
/// <param name="Median">The median ‖J‖₂.</param>
/// <param name="MaxProducts">The most products with JᵀJ one digit needed.</param>
/// <param name="Unconverged">Digits whose search spent its budget before meeting the tolerance.</param>
public sealed record ExpansionSummary(int Digits, double Max, double Median, int MaxProducts, int Unconverged)
{
    /// <summary>The summary of the expansions of the digits.</summary>
    public static ExpansionSummary Of(IReadOnlyList<Expansion> expansions)
    {
        var gains = ContractionSummary.Of(expansions.Select(e => e.Gain));
        return new ExpansionSummary(gains.Pairs, gains.Max, gains.Median,
            expansions.Select(e => e.Products).DefaultIfEmpty(0).Max(), expansions.Count(e => !e.Converged));
    }
}

/// <summary>Accuracy under one attack at one strength, and the contraction of its pairs (clean, perturbed).</summary>
public sealed record AttackOutcome(string Attack, double Strength, double Accuracy, ContractionSummary Contraction);

/// <summary>Everything measured for one model.</summary>
/// <param name="CleanAccuracy">Accuracy on the unperturbed test digits.</param>
/// <param name="Attacks">FGSM, PGD and noise at every strength.</param>
/// <param name="WorstDirection">Pairs u₀, u₀ ± δw with w the most expanded direction of the Euler map at
/// u₀.</param>
/// <param name="Jacobian">‖J‖₂ of the Euler map at every u₀: the expansion of an infinitesimal δ along
/// w.</param>
/// <param name="AllPairs">Every pair above together.</param>
public sealed record RobustnessReport(
    double CleanAccuracy,
    IReadOnlyList<AttackOutcome> Attacks,
    ContractionSummary WorstDirection,
    ExpansionSummary Jacobian,
    ContractionSummary AllPairs);

/// <summary>Measures a model's robustness on test digits, in parallel; the results depend on the seed only.</summary>
public static class Robustness
{
    /// <summary>FGSM's name in reports.</summary>
    public const string Fgsm = "fgsm";

    /// <summary>PGD's name in reports.</summary>
    public const string Pgd = "pgd";

    /// <summary>Gaussian noise's name in reports.</summary>
    public const string Noise = "noise";

    /// <summary>Runs every attack of <paramref name="options"/> on <paramref name="test"/>.</summary>
    public static RobustnessReport Evaluate(OdeClassifier model, DigitSet test, RobustnessOptions options)
    {
        var clean = Training.Accuracy.Of(model, test);
        var attacks = new List<AttackOutcome>();
        var all = new List<double>();
        var runs = options.Epsilons.Select(e => (Fgsm, e)).Concat(options.Epsilons.Select(e => (Pgd, e)))
            .Concat(options.NoiseLevels.Select(s => (Noise, s))).ToArray();
        for (var r = 0; r < runs.Length; r++)
        {
            var (attack, strength) = runs[r];
            var (accuracy, ratios) = Attack(model, test, attack, strength, options, r);
            all.AddRange(ratios);
            attacks.Add(new AttackOutcome(attack, strength, accuracy, ContractionSummary.Of(ratios)));
        }

        var (worst, expansions) = WorstDirectionRatios(model, test, options);
        all.AddRange(worst);
        return new RobustnessReport(clean, attacks, ContractionSummary.Of(worst), ExpansionSummary.Of(expansions),
            ContractionSummary.Of(all));
    }

    private static (double Accuracy, List<double> Ratios) Attack(
        OdeClassifier model, DigitSet test, string attack, double strength, RobustnessOptions options, int run)
    {
        var correct = new bool[test.Count];
        var ratios = new double?[test.Count];
        var inputs = model.Shape.Inputs;
        Parallel.For(0, test.Count,
            () => (Attacker: new Perturbations(model), Perturbed: new double[inputs],
                Clean: new double[model.Shape.Dimension]),
            (k, _, local) =>
            {
                var random = new Random(Seed(options.Seed, run, k));
                var image = test.Image(k);
                var label = test.Label(k);
                switch (attack)
                {
                    case Fgsm:
                        local.Attacker.Fgsm(image, label, strength, local.Perturbed);
                        break;
                    case Pgd:
                        local.Attacker.Pgd(image, label, strength, options.PgdSteps, options.PgdStepFactor, random,
                            local.Perturbed);
                        break;
                    default:
                        Perturbations.Noise(image, strength, random, local.Perturbed);
                        break;
                }

                var pass = local.Attacker.Pass;
                pass.Forward(model, image);
                pass.State(0).CopyTo(local.Clean);
                correct[k] = Model.CrossEntropy.Predict(pass.Forward(model, local.Perturbed)) == label;
                ratios[k] = Contraction.Ratio(model, pass, local.Clean, pass.State(0).ToArray());
                return local;
            },
            _ => { });
        return ((double)correct.Count(c => c) / Math.Max(test.Count, 1),
            ratios.Where(r => r is not null).Select(r => r!.Value).ToList());
    }

    /// <summary>
    /// The ratios of u₀ ± δw for the most expanded direction w at every digit: w is defined up to its sign, and the
    /// flow's curvature makes the two finite pairs differ.
    /// </summary>
    private static (List<double> Ratios, Expansion[] Expansions) WorstDirectionRatios(
        OdeClassifier model, DigitSet test, RobustnessOptions options)
    {
        var ratios = new double?[2 * test.Count];
        var expansions = new Expansion[test.Count];
        var n = model.Shape.Dimension;
        Parallel.For(0, test.Count, () => new OdePass(model.Shape), (k, _, pass) =>
        {
            pass.Forward(model, test.Image(k));
            var u0 = pass.State(0).ToArray();
            expansions[k] = Contraction.WorstDirection(model, pass, u0, RobustnessOptions.Direction,
                new Random(Seed(options.Seed, -1, k)));
            var step = RobustnessOptions.DirectionStep * Math.Max(1, TensorPrimitives.Norm(u0));
            var v0 = new double[n];
            for (var side = 0; side < 2; side++)
            {
                TensorPrimitives.MultiplyAdd(expansions[k].Direction, side == 0 ? step : -step, u0, v0);
                ratios[2 * k + side] = Contraction.Ratio(model, pass, u0, v0);
            }

            return pass;
        }, _ => { });
        return (ratios.Where(r => r is not null).Select(r => r!.Value).ToList(), expansions);
    }

    private static int Seed(int seed, int run, int digit) =>
        unchecked((seed * 1_000_003) ^ (run * 7_919 + 13) ^ (digit * 104_729));
}
