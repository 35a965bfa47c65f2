using System.Text.Json;
using ActorContractivity.Cli.Mnist;
using ActorContractivity.Cli.Reporting;
using ActorContractivity.Cli.Tests.Loading;
using ScottPlot;
using ScottPlot.Plottables;
using SkiaSharp;

namespace ActorContractivity.Cli.Tests.Mnist;

public sealed class AccuracyPlotTests
{
    [Fact]
    public void The_plot_writes_the_norm_and_the_slope_as_symbols_and_draws_whole_dashes_in_its_legend()
    {
        using var temp = new TempDirectory();
        var experiment = TrainedExperiment.CopyTo(Path.Combine(temp.Path, "run"));
        var results = JsonSerializer.Deserialize<MnistResults>(
            File.ReadAllText(Path.Combine(experiment, "results.json")), ReportWriter.Options)!;
        var slope = results.Models[1].Slope;

        var plot = AccuracyPlot.Build(results);

        Assert.Equal("MNIST test accuracy under ℓ∞ attacks (60 digits)", plot.Axes.Title.Label.Text);
        using var font = SKTypeface.FromFamilyName(plot.Axes.Title.Label.FontName);
        Assert.True(font.ContainsGlyph('ℓ'), $"{font.FamilyName} has no ℓ");
        var lines = plot.GetPlottables().OfType<Scatter>().ToArray();
        Assert.Equal(["baseline (tanh), FGSM", "baseline (tanh), PGD-2", $"stabilised (ℓ = {slope:G3}), FGSM",
            $"stabilised (ℓ = {slope:G3}), PGD-2"], lines.Select(line => line.LegendText));
        Assert.Equal([false, true, false, true], lines.Select(line => line.LinePattern.Equals(LinePattern.Dashed)));

        // The marker hides the middle of a legend line; a dash and a half on either side of it show the pattern.
        var period = LinePattern.Dashed.Intervals.Sum();
        Assert.True(plot.Legend.SymbolWidth >= 3 * period, $"a legend line of {plot.Legend.SymbolWidth} px is less "
            + $"than three dash periods of {period} px");
    }
}
