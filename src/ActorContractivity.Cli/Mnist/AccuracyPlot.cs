using ActorContractivity.NeuralOde.Attacks;
using ScottPlot;

namespace ActorContractivity.Cli.Mnist;

/// <summary><c>accuracy.png</c>: test accuracy against the ℓ∞ budget ε under FGSM and PGD, for every model.</summary>
internal static class AccuracyPlot
{
    /// <summary>Renders the plot and writes it to <paramref name="path"/> (through a temporary file).</summary>
    public static void Write(string path, MnistResults results)
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
                line.LegendText = $"{model.Name} ({(model.Slope == 0 ? "tanh" : $"l = {model.Slope:G3}")}), "
                    + (attack == Robustness.Pgd ? $"PGD-{results.Attacks.PgdSteps}" : "FGSM");
                line.LinePattern = attack == Robustness.Pgd ? LinePattern.Dashed : LinePattern.Solid;
                line.LineWidth = 2;
                line.MarkerSize = 7;
            }
        }

        plot.Title($"MNIST test accuracy under l-infinity attacks ({results.Split.TestSize} digits)");
        plot.XLabel("attack budget ε (pixels in [0, 1])");
        plot.YLabel("test accuracy (%)");
        plot.Axes.SetLimitsY(0, 100);
        plot.ShowLegend(Alignment.UpperRight);

        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Guid.NewGuid():N}.tmp.png");
        try
        {
            plot.SavePng(temporary, 900, 560);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
