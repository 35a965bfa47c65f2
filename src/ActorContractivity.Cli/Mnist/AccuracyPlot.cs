using ActorContractivity.NeuralOde.Attacks;
using ScottPlot;
using SkiaSharp;

namespace ActorContractivity.Cli.Mnist;

/// <summary>
/// <c>accuracy.png</c>: test accuracy against the ℓ∞ budget ε under FGSM and PGD, for every model.
/// </summary>
internal static class AccuracyPlot
{
    /// <summary>Width of a line's sample in the legend: long enough to show dashes beside the marker.</summary>
    public const float LegendLineWidth = 60;

    /// <summary>The PNG bytes of the plot, 900×560 pixels.</summary>
    public static byte[] Png(MnistResults results) => Build(results).GetImageBytes(900, 560, ImageFormat.Png);

    /// <summary>The plot: a solid line per model for FGSM and a dashed one for PGD.</summary>
    public static Plot Build(MnistResults results)
    {
        var plot = new Plot();
        var colors = new[] { Colors.C0, Colors.C1, Colors.C2, Colors.C3 };
        for (var m = 0; m < results.Models.Count; m++)
        {
            var model = results.Models[m];
            foreach (var attack in new[] { Robustness.Fgsm, Robustness.Pgd })
            {
                var outcomes = model.Robustness.Attacks.Where(a => a.Attack == attack).ToArray();
                double[] epsilons = [0, .. outcomes.Select(a => a.Strength)];
                double[] accuracy = [100 * model.Robustness.CleanAccuracy, .. outcomes.Select(a => 100 * a.Accuracy)];
                var line = plot.Add.Scatter(epsilons, accuracy, colors[m % colors.Length]);
                line.LegendText = $"{model.Name} ({(model.Slope == 0 ? "tanh" : $"ℓ = {model.Slope:G3}")}), "
                    + (attack == Robustness.Pgd ? $"PGD-{results.Attacks.PgdSteps}" : "FGSM");
                line.LinePattern = attack == Robustness.Pgd ? LinePattern.Dashed : LinePattern.Solid;
                line.LineWidth = 2;
                line.MarkerSize = 7;
            }
        }

        plot.Title($"MNIST test accuracy under ℓ∞ attacks ({results.Split.TestSize} digits)");
        plot.XLabel("attack budget ε (pixels in [0, 1])");
        plot.YLabel("test accuracy (%)");
        plot.Axes.SetLimitsY(0, 100);
        plot.Legend.SymbolWidth = LegendLineWidth;
        plot.ShowLegend(Alignment.UpperRight);

        // Limitation: on a system with no font that has ℓ, ∞ and ε, the missing symbols are drawn as boxes.
        if (FontWith("ℓ∞ε") is { } font)
        {
            plot.Font.Set(font);
        }

        return plot;
    }

    /// <summary>
    /// The default font when it has every one of <paramref name="symbols"/>, else DejaVu Sans when it has them, so
    /// that all labels are set in one font; null when neither has them. On Debian the default is DejaVu Serif, which
    /// lacks ℓ, and fonts-dejavu-core installs DejaVu Sans beside it.
    /// </summary>
    private static string? FontWith(string symbols)
    {
        foreach (var family in new[] { Fonts.Default, "DejaVu Sans" })
        {
            using var typeface = SKTypeface.FromFamilyName(family);
            if (typeface is not null && symbols.All(symbol => typeface.ContainsGlyph(symbol)))
            {
                return family;
            }
        }

        return null;
    }
}
