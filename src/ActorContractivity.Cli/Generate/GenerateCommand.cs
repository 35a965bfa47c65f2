using System.CommandLine;
using System.Globalization;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cli.Generate;

/// <summary>
/// <c>actorcontractivity generate resnet|deep …</c>: writes a seeded deep model (<see cref="SyntheticModels"/>) as
/// <c>.npy</c> layers and a manifest, to try the tool at scale without a trained model.
/// </summary>
public static class GenerateCommand
{
    /// <summary>Widths above this are refused: a single 16384×16384 layer is already 2 GiB of float64.</summary>
    public const int MaxWidth = 16384;

    /// <summary>Models whose weights would exceed this many bytes on disk are refused.</summary>
    public const long MaxBytes = 64L << 30;

    /// <summary>Builds the command with its two kinds of model.</summary>
    public static Command Create(TextWriter output)
    {
        var command = new Command("generate", "Write a seeded deep model (.npy layers, a manifest) to try the tool.");
        command.Subcommands.Add(ResNet(output));
        command.Subcommands.Add(Deep(output));
        return command;
    }

    private static Command ResNet(TextWriter output) => Kind(output, "resnet",
        "A ResNet seen as a time-dependent neural ODE: one sample per block.",
        Count("--blocks", "Residual blocks: one time sample each, with two width×width layers."),
        (blocks, width, seed) => new Layout(
            2L * blocks,
            $"{blocks} {(blocks == 1 ? "block" : "blocks")} of two {width}×{width} layers",
            SyntheticModels.ResNet(blocks, width, seed).Select(s => (s.Time, s.Layers.AsEnumerable())),
            (sample, layer) => $"block{Numbered(sample, blocks)}-A{layer + 1}.npy"));

    private static Command Deep(TextWriter output) => Kind(output, "deep",
        "One sample of many layers: J = D_k A_k ⋯ D_1 A_1.",
        Count("--layers", "Layers of the single sample (at least 2), each width×width."),
        (layers, width, seed) => layers < 2
            ? throw new InputException($"--layers: a deep model needs at least 2 layers, got {layers}")
            : new Layout(
                layers,
                $"one sample of {layers} {width}×{width} layers",
                [(0.0, SyntheticModels.Deep(layers, width, seed))],
                (_, layer) => $"layer{Numbered(layer + 1, layers)}.npy"));

    /// <summary>What one kind of model writes: its layer count, description, samples and file names.</summary>
    private sealed record Layout(
        long Layers,
        string Shape,
        IEnumerable<(double Time, IEnumerable<Matrix> Layers)> Samples,
        Func<int, int, string> FileName);

    private static Command Kind(
        TextWriter output, string name, string description, Option<int> count, Func<int, int, int, Layout> layout)
    {
        var (width, seed, directory, force) = Common();
        var command = new Command(name, description);
        Add(command, count, width, seed, directory, force);
        command.SetAction(parse =>
        {
            var (n, w) = (parse.GetValue(count), parse.GetValue(width));
            CheckSize(count.Name, n, w);
            var model = layout(n, w, parse.GetValue(seed));
            CheckBytes(count.Name, n, w, model.Layers);
            var written = LayerDirectory.Write(parse.GetValue(directory)!, parse.GetValue(force), model.Samples,
                model.FileName);
            return Report(output, written, model.Shape);
        });
        return command;
    }

    private static Option<int> Count(string name, string description) =>
        new(name) { Description = description, Required = true };

    private static (Option<int> Width, Option<int> Seed, Option<string?> Directory, Option<bool> Force) Common()
    {
        var directory = CommandLineValues.Path("--out", "The directory to write (its parent must exist).");
        directory.Required = true;
        return (new Option<int>("--width") { Description = "The width W of every layer.", Required = true },
            new Option<int>("--seed") { Description = "Seed of the weights.", DefaultValueFactory = _ => 0 },
            directory,
            new Option<bool>("--force") { Description = "Replace --out if it exists and is not empty." });
    }

    private static void Add(Command command, params Option[] options)
    {
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }

    private static void CheckSize(string countName, int count, int width)
    {
        if (count < 1)
        {
            throw new InputException($"{countName}: expected a positive whole number, got {count}");
        }

        if (width < 1 || width > MaxWidth)
        {
            throw new InputException($"--width: expected a whole number from 1 to {MaxWidth}, got {width}");
        }
    }

    private static void CheckBytes(string countName, int count, int width, long layers)
    {
        var bytes = layers * 8L * width * width;
        if (bytes > MaxBytes)
        {
            throw new InputException($"{countName}: {count} of width {width} would write {bytes >> 30} GiB of weights; "
                + $"the limit is {MaxBytes >> 30} GiB");
        }
    }

    /// <summary>The index padded with zeros to the width of the count (at least two digits), so files sort.</summary>
    private static string Numbered(int index, int count) =>
        index.ToString("D" + Math.Max(2, count.ToString(CultureInfo.InvariantCulture).Length),
            CultureInfo.InvariantCulture);

    private static int Report(TextWriter output, LayerDirectory.Written written, string shape)
    {
        var size = written.Bytes >= 1_000_000
            ? string.Create(CultureInfo.InvariantCulture, $"{written.Bytes / 1e6:F1} MB")
            : string.Create(CultureInfo.InvariantCulture, $"{written.Bytes / 1e3:F1} kB");
        output.WriteLine($"wrote {written.Manifest}: {shape}, {written.Layers} .npy files, {size} of float64 weights");
        output.WriteLine($"certify it with: actorcontractivity certify {written.Manifest}");
        return CliApplication.Found;
    }
}
