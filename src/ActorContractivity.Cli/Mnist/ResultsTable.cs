using System.Globalization;
using System.Text;

namespace ActorContractivity.Cli.Mnist;

/// <summary>The Markdown of <c>results.md</c>: accuracies, certificates and contraction, and the time spent.</summary>
internal static class ResultsTable
{
    /// <summary>The whole Markdown text.</summary>
    public static string Markdown(MnistResults results)
    {
        var settings = results.Attacks;
        var builder = new StringBuilder();
        var first = results.Models[0];
        var split = results.Split;
        Paragraph(builder, $"Test accuracy on {split.TestSize} digits ({split.Source.Split(" in ")[0]}, split seed "
            + $"{split.Seed}; {split.TrainSize} training digits), n = {first.Shape.Dimension}, {first.Shape.Steps} "
            + $"Euler steps on [0, {N(first.Shape.Time)}]. FGSM and PGD are ℓ∞ attacks of budget ε (PGD: "
            + $"{settings.PgdSteps} steps of {N(settings.PgdStepFactor)}ε/{settings.PgdSteps} from a random start); "
            + "noise is Gaussian with standard deviation σ per pixel; pixels stay in [0, 1].");
        builder.AppendLine();
        var header = new List<string> { "model", "clean" };
        header.AddRange(settings.Epsilons.Select((e, i) => (i == 0 ? "FGSM ε = " : "FGSM ") + N(e)));
        header.AddRange(
            settings.Epsilons.Select((e, i) => (i == 0 ? $"PGD-{settings.PgdSteps} ε = " : "PGD ") + N(e)));
        header.AddRange(settings.NoiseLevels.Select((s, i) => (i == 0 ? "noise σ = " : "noise ") + N(s)));
        Row(builder, header);
        Row(builder, header.Select(_ => "---"));
        foreach (var model in results.Models)
        {
            var cells = new List<string> { Label(model), Percent(model.Robustness.CleanAccuracy) };
            cells.AddRange(model.Robustness.Attacks.Select(a => Percent(a.Accuracy)));
            Row(builder, cells);
        }

        builder.AppendLine();
        Row(builder, ["model", "slopes of σ", "certificate", "largest ratio, attack pairs",
            "largest ratio, most expanded direction", "largest ‖J‖₂", "median ratio", "bound e^(cT)"]);
        Row(builder, Enumerable.Repeat("---", 8));
        foreach (var model in results.Models)
        {
            var attacks = model.Robustness.Attacks.Select(a => a.Contraction.Max).DefaultIfEmpty(double.NaN).Max();
            Row(builder, [
                Label(model),
                model.Slope == 0 ? "(0, 1]" : $"({N(model.Slope)}, 1]",
                Certificate(model.Certificate),
                N(attacks),
                N(model.Robustness.WorstDirection.Max),
                N(model.Robustness.Jacobian.Max),
                N(model.Robustness.AllPairs.Median),
                model.ContractionBound is { } bound
                    ? N(bound) + (model.BoundHolds == true ? " (holds)" : " (EXCEEDED)")
                    : "none",
            ]);
        }

        builder.AppendLine();
        var products = results.Models.Max(m => m.Robustness.Jacobian.MaxProducts);
        var unconverged = results.Models.Sum(m => m.Robustness.Jacobian.Unconverged);
        var tolerance = settings.DirectionTolerance.ToString("0e0", CultureInfo.InvariantCulture);
        Paragraph(builder, "Ratios are ‖u(T) − v(T)‖ / ‖u₀ − v₀‖ over the Euler steps for the pairs "
            + "(clean, perturbed) of every attack above and for u₀ against "
            + $"u₀ ± {N(settings.DirectionStep)}·max(1, ‖u₀‖)·w, on every test digit. J is the Jacobian of "
            + "the Euler map u₀ ↦ u(T) at u₀ and w its top right singular vector, the most expanded direction: "
            + "the top eigenvector of JᵀJ by Lanczos to a relative residual of "
            + $"{tolerance}, which took at most {products} products with JᵀJ per digit"
            + (unconverged == 0
                ? "."
                : $" and did not converge within {settings.DirectionMaxProducts} on {unconverged} digit(s)."));
        builder.AppendLine();
        var seconds = results.Seconds;
        var times = seconds.Select(p => $"{p.Key} {p.Value.ToString("F0", CultureInfo.InvariantCulture)} s");
        Paragraph(builder, "Time: " + string.Join(", ", times) + ".");
        return builder.ToString();
    }

    private static string Label(ModelResult model) => model.Slope == 0
        ? $"{model.Name} (tanh)"
        : $"{model.Name} (σ_ℓ, ℓ = {N(model.Slope)})";

    private static string Certificate(CertificateInfo? certificate) => certificate switch
    {
        null => "not certified",
        { Feasible: false } c => $"no interval: μ₂(A) = {N(c.LogNormAtIdentity)} > c' = {N(c.FlowBound)}",
        { } c => $"{c.Status}, ℓ ∈ [{N(c.Bracket![0])}, {N(c.Bracket[1])}]; proven for ℓ ≥ {N(c.Slope!.Value)} "
            + $"(c = {N(c.C)}, c' = {N(c.FlowBound)})",
    };

    /// <summary>Prose wrapped at 110 columns, as the README is; table rows cannot wrap.</summary>
    private static void Paragraph(StringBuilder builder, string text)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > 110)
            {
                builder.AppendLine(line.ToString());
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : "").Append(word);
        }

        builder.AppendLine(line.ToString());
    }

    private static void Row(StringBuilder builder, IEnumerable<string> cells) =>
        builder.AppendLine("| " + string.Join(" | ", cells) + " |");

    private static string Percent(double share) => (100 * share).ToString("F2", CultureInfo.InvariantCulture) + "%";

    private static string N(double value) => (value + 0.0).ToString("G4", CultureInfo.InvariantCulture);
}
