using System.Diagnostics;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cli.Tests.EndToEnd;
using CommandLine = ActorContractivity.Cli.Tests.EndToEnd.Cli;
using ActorContractivity.Cli.Tests.Loading;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cli.Tests.Generate;

public sealed class GenerateCommandTests
{
    private static string[] Files(string directory) =>
        Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order().ToArray()!;

    [Fact]
    public void A_generated_resnet_is_read_back_exactly_and_certify_finds_its_interior_interval()
    {
        using var temp = new TempDirectory();
        var directory = Path.Combine(temp.Path, "resnet");
        var run = CommandLine.Run("generate", "resnet", "--blocks", "3", "--width", "8", "--out", directory);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"wrote {directory}/model.json: 3 blocks of two 8×8 layers, 6 .npy files, 3.1 kB of float64 "
            + "weights", run.OutputLines[0]);
        Assert.Equal(["block00-A1.npy", "block00-A2.npy", "block01-A1.npy", "block01-A2.npy", "block02-A1.npy",
            "block02-A2.npy", "model.json"], Files(directory));
        Assert.Equal(["resnet"], Files(temp.Path));

        var loaded = ModelLoader.Load(Path.Combine(directory, "model.json")).Model;
        var expected = SyntheticModels.ResNet(3, 8, 0).ToList();
        Assert.Equal(expected.Select(s => s.Time), loaded.Samples.Select(s => s.Time));
        Assert.Equal(expected.SelectMany(s => s.Layers).Select(l => l.ToRows()),
            loaded.Samples.SelectMany(s => s.Layers).Select(l => l.ToRows()));

        var report = Path.Combine(temp.Path, "report.json");
        var certify = CommandLine.Run("certify", Path.Combine(directory, "model.json"), "--json", report);
        Assert.Equal(0, certify.ExitCode);
        using var json = Report.Read(report);
        Assert.Equal("exact", Report.Text(json.RootElement, "status"));
        Assert.Equal(0.58889996, Report.Number(json.RootElement, "lower"), 1e-6);
    }

    [Fact]
    public void A_generated_deep_model_is_one_sample_of_its_layers_and_the_seed_decides_the_weights()
    {
        using var temp = new TempDirectory();
        string Generate(string name, string seed)
        {
            var directory = Path.Combine(temp.Path, name);
            var run = CommandLine.Run("generate", "deep", "--layers", "3", "--width", "5", "--seed", seed, "--out",
                directory);
            Assert.Equal(0, run.ExitCode);
            return directory;
        }

        var (first, again, other) = (Generate("a", "4"), Generate("b", "4"), Generate("c", "5"));
        Assert.Equal(["layer01.npy", "layer02.npy", "layer03.npy", "model.json"], Files(first));
        var model = ModelLoader.Load(Path.Combine(first, "model.json")).Model;
        Assert.Equal([5, 5, 5], model.Samples.Single().Widths);
        Assert.Equal(File.ReadAllBytes(Path.Combine(first, "layer02.npy")),
            File.ReadAllBytes(Path.Combine(again, "layer02.npy")));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(first, "layer02.npy")),
            File.ReadAllBytes(Path.Combine(other, "layer02.npy")));
    }

    [Fact]
    public void An_existing_directory_is_replaced_only_with_force_and_an_empty_one_is_filled()
    {
        using var temp = new TempDirectory();
        var directory = Path.Combine(temp.Path, "model");
        Directory.CreateDirectory(directory);
        string[] args = ["generate", "deep", "--layers", "2", "--width", "3", "--out", directory];
        Assert.Equal(0, CommandLine.Run(args).ExitCode);

        var refused = CommandLine.Run(args);
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal([$"--out: {directory} exists and is not empty (add --force to replace it)"], refused.ErrorLines);

        Assert.Equal(0, CommandLine.Run([.. args[..3], "3", .. args[4..], "--force"]).ExitCode);
        Assert.Equal(["layer01.npy", "layer02.npy", "layer03.npy", "model.json"], Files(directory));
        Assert.Equal(["model"], Files(temp.Path));
    }

    [Fact]
    public void Force_replaces_only_an_earlier_generate_output_and_refuses_any_other_directory_naming_why()
    {
        using var temp = new TempDirectory();
        string[] Args(string directory) =>
            ["generate", "deep", "--layers", "2", "--width", "3", "--out", directory, "--force"];
        void Refused(string directory, string reason, params string[] kept)
        {
            var run = CommandLine.Run(Args(directory));
            Assert.Equal(2, run.ExitCode);
            Assert.Equal([$"--out: {directory} is not the output of an earlier generate ({reason}); --force replaces "
                + "only such a directory"], run.ErrorLines);
            Assert.Empty(run.Stdout);
            Assert.Equal(kept.Order(), Files(directory));
        }

        var notes = Path.GetDirectoryName(temp.Write("notes/notes.txt", "keep me"))!;
        Refused(notes, "it has no model.json", "notes.txt");

        var extended = Path.Combine(temp.Path, "extended");
        Assert.Equal(0, CommandLine.Run(Args(extended)).ExitCode);
        temp.Write("extended/notes.txt", "keep me");
        Refused(extended, "it holds notes.txt, which generate did not write",
            "layer01.npy", "layer02.npy", "model.json", "notes.txt");

        var nested = Path.Combine(temp.Path, "nested");
        Assert.Equal(0, CommandLine.Run(Args(nested)).ExitCode);
        Directory.CreateDirectory(Path.Combine(nested, "sub"));
        Refused(nested, "it holds sub, which generate did not write",
            "layer01.npy", "layer02.npy", "model.json", "sub");

        temp.Write("own/model.json",
            """{ "format": "actorcontractivity/v1", "samples": [ { "t": 0, "layers": [ "w.npy" ] } ] }""");
        temp.Write("own/w.npy", NpyBytes.Float64(new[,] { { 1.0 } }));
        Refused(Path.Combine(temp.Path, "own"), "its model.json was not written by generate", "model.json", "w.npy");

        temp.Write("broken/model.json", "{ not json");
        Refused(Path.Combine(temp.Path, "broken"), "its model.json is not JSON", "model.json");
        Assert.Equal(["broken", "extended", "nested", "notes", "own"], Files(temp.Path));
    }

    [Fact]
    public void An_out_that_is_or_contains_the_current_directory_is_refused_even_with_force_and_nothing_is_deleted()
    {
        using var temp = new TempDirectory();
        var work = Path.GetDirectoryName(temp.Write("w/keep.txt", "keep me"))!;
        var inner = Path.Combine(temp.Path, "a", "b");
        Directory.CreateDirectory(inner);
        temp.Write("a/keep.txt", "keep me");
        var empty = Path.Combine(temp.Path, "empty");
        Directory.CreateDirectory(empty);
        string[] Args(string output) =>
            ["generate", "resnet", "--blocks", "3", "--width", "8", "--out", output, "--force"];

        foreach (var (directory, output) in new[] { (work, "."), (inner, ".."), (empty, ".") })
        {
            var run = CommandLine.RunProcessIn(directory, Args(output));
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Equal([$"--out: {output} is or contains the current directory, which generate does not replace; "
                + "give a new directory"], run.ErrorLines);
        }

        var root = CommandLine.Run(Args("/"));
        Assert.Equal(2, root.ExitCode);
        Assert.Equal(["--out: / is the root directory, which generate does not replace; give a new directory"],
            root.ErrorLines);

        Assert.Equal(["keep.txt"], Files(work));
        Assert.Equal(["b", "keep.txt"], Files(Path.Combine(temp.Path, "a")));
        Assert.Empty(Files(inner));
        Assert.Empty(Files(empty));
        Assert.Equal(["a", "empty", "w"], Files(temp.Path));
    }

    [Fact]
    public void An_empty_out_is_refused_with_the_wording_certify_uses_for_an_empty_path()
    {
        var run = CommandLine.Run("generate", "resnet", "--blocks", "3", "--width", "8", "--out", "");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["--out: the path is empty"], run.ErrorLines);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public void One_block_is_described_in_the_singular()
    {
        using var temp = new TempDirectory();
        var directory = Path.Combine(temp.Path, "one");
        var run = CommandLine.Run("generate", "resnet", "--blocks", "1", "--width", "2", "--out", directory);
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith($"wrote {directory}/model.json: 1 block of two 2×2 layers, 2 .npy files, ",
            run.OutputLines[0]);
    }

    [Fact]
    public void A_later_generate_removes_the_staging_directories_of_ended_processes_and_keeps_those_of_running_ones()
    {
        using var temp = new TempDirectory();
        using var ended = Process.Start("true")!;
        ended.WaitForExit();
        using var running = Process.Start("sleep", "60")!;
        try
        {
            var stale = temp.Write($".model.partial-{ended.Id}/block00-A1.npy", [1, 2, 3]);
            var busy = temp.Write($".model.partial-{running.Id}/block00-A1.npy", [1, 2, 3]);
            var other = temp.Write($".other.partial-{ended.Id}/x", [1]);
            var run = CommandLine.Run("generate", "resnet", "--blocks", "2", "--width", "4", "--out",
                Path.Combine(temp.Path, "model"));
            Assert.Equal(0, run.ExitCode);
            Assert.False(Directory.Exists(Path.GetDirectoryName(stale)));
            Assert.True(File.Exists(busy));
            Assert.True(File.Exists(other));
        }
        finally
        {
            running.Kill();
            running.WaitForExit();
        }
    }

    [Fact]
    public void A_generate_killed_while_writing_leaves_a_staging_directory_that_the_next_generate_removes()
    {
        using var temp = new TempDirectory();
        var start = CommandLine.StartInfo(temp.Path, "generate", "resnet", "--blocks", "60", "--width", "256",
            "--out", "g");
        using var killed = Process.Start(start)!;
        var clock = Stopwatch.StartNew();
        while (!Directory.EnumerateDirectories(temp.Path, ".g.partial-*").Any() && !killed.HasExited)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the staging directory did not appear");
            Thread.Sleep(20);
        }

        killed.Kill();
        killed.WaitForExit();
        Assert.Equal([$".g.partial-{killed.Id}"], Files(temp.Path));

        var again = CommandLine.Run("generate", "resnet", "--blocks", "2", "--width", "4", "--out",
            Path.Combine(temp.Path, "g"));
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(["g"], Files(temp.Path));
    }

    public static TheoryData<string[], string> BadOptions => new()
    {
        { ["resnet", "--width", "8"], "--blocks" },
        { ["resnet", "--blocks", "3"], "--width" },
        { ["resnet", "--blocks", "3", "--width", "8", "--out", "OUT", "--depth", "2"], "'--depth'" },
        { ["resnet", "--blocks", "0", "--width", "8"], "--blocks: expected a positive whole number, got 0" },
        { ["resnet", "--blocks", "2.5", "--width", "8"], "--blocks" },
        { ["resnet", "--blocks", "3", "--width", "0"], "--width: expected a whole number from 1 to 16384, got 0" },
        { ["resnet", "--blocks", "100000", "--width", "8192"], "--blocks: 100000 of width 8192 would write" },
        { ["deep", "--layers", "1", "--width", "8"], "--layers: a deep model needs at least 2 layers, got 1" },
        { ["deep", "--layers", "4", "--width", "8", "--seed", "x"], "--seed" },
        { ["deep", "--layers", "4", "--width", "8", "--out", "--force"], "--out: expected a file path" },
        { ["cube", "--layers", "4"], "'cube'" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_are_refused_with_one_line_naming_the_option_and_nothing_is_written(
        string[] args, string expected)
    {
        using var temp = new TempDirectory();
        var directory = Path.Combine(temp.Path, "out");
        var full = args.Contains("--out") ? args.Select(a => a == "OUT" ? directory : a).ToArray()
            : [.. args, "--out", directory];
        var run = CommandLine.Run(["generate", .. full]);
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.Contains(expected, run.ErrorLines[0]);
        Assert.Empty(run.Stdout);
        Assert.Empty(Files(temp.Path));
    }

    [Fact]
    public void An_unwritable_or_missing_place_for_out_is_refused_and_leaves_nothing_behind()
    {
        using var temp = new TempDirectory();
        var file = temp.Write("file.txt", "not a directory");
        string[] Args(string output) => ["generate", "resnet", "--blocks", "2", "--width", "4", "--out", output];

        var underFile = CommandLine.Run(Args(Path.Combine(file, "model")));
        Assert.Equal(2, underFile.ExitCode);
        Assert.Equal([$"--out: the directory {file} that would hold {Path.Combine(file, "model")} does not exist"],
            underFile.ErrorLines);

        var isFile = CommandLine.Run(Args(file));
        Assert.Equal([$"--out: {file} is a file; give a directory to write the model into"], isFile.ErrorLines);

        var missingParent = CommandLine.Run(Args(Path.Combine(temp.Path, "absent", "model")));
        Assert.Equal(2, missingParent.ExitCode);
        Assert.Contains("does not exist", missingParent.ErrorLines.Single());

        var proc = CommandLine.Run(Args("/proc/actorcontractivity-model"));
        Assert.Equal(2, proc.ExitCode);
        Assert.StartsWith("--out: cannot write in '/proc': ", proc.ErrorLines.Single());
        Assert.Equal(["file.txt"], Files(temp.Path));
    }
}
