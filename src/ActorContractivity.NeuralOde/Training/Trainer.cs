using System.Diagnostics;
using System.Numerics.Tensors;
using ActorContractivity.NeuralOde.Datasets;
using ActorContractivity.NeuralOde.Model;

namespace ActorContractivity.NeuralOde.Training;

/// <summary>A term added to the training loss, such as a penalty on the weights; it adds its own gradient.</summary>
public interface ILossTerm
{
    /// <summary>Adds the term's gradient at the parameters to <paramref name="gradient"/>; returns its value.</summary>
    double AddGradient(OdeClassifier model, Span<double> gradient, int step);
}

/// <summary>How to train.</summary>
/// <param name="Epochs">Passes over the training digits.</param>
/// <param name="BatchSize">Digits per Adam step.</param>
/// <param name="LearningRate">Adam's step size at the start; it decays along a half cosine to a tenth.</param>
/// <param name="Seed">Seed of the batch order and the shifts.</param>
/// <param name="MaxShift">Each digit is moved by up to this many pixels in each direction, afresh every epoch
/// (0: no augmentation).</param>
public sealed record TrainingOptions(
    int Epochs = 30, int BatchSize = 64, double LearningRate = 3e-3, int Seed = 0, int MaxShift = 1)
{
    /// <summary>Parameter blocks that stay as they are.</summary>
    public IReadOnlySet<ParameterGroup> Frozen { get; init; } = new HashSet<ParameterGroup>();

    /// <summary>An extra loss term (the log-norm penalty), or null.</summary>
    public ILossTerm? Extra { get; init; }
}

/// <summary>What one epoch did: mean loss and extra term over its batches, and accuracies.</summary>
public sealed record EpochReport(
    int Epoch, double Loss, double Extra, double TrainAccuracy, double? TestAccuracy, double Seconds);

/// <summary>
/// Mini-batch training with Adam. A batch is cut into fixed chunks of <see cref="ChunkSize"/> digits whose gradients
/// are computed in parallel and summed in chunk order, so the result depends on the seed only, not on the number of
/// cores or the thread timing.
/// </summary>
public static class Trainer
{
    /// <summary>Digits per parallel chunk of a batch.</summary>
    public const int ChunkSize = 16;

    /// <summary>Trains <paramref name="model"/> in place; reports each epoch to <paramref name="progress"/>.</summary>
    public static IReadOnlyList<EpochReport> Train(
        OdeClassifier model, DigitSet train, DigitSet? test, TrainingOptions options, Action<EpochReport>? progress)
    {
        var shape = model.Shape;
        var ranges = Enum.GetValues<ParameterGroup>().Where(g => !options.Frozen.Contains(g))
            .Select(g => (shape.Offset(g), shape.Size(g))).ToArray();
        var adam = new Adam(shape.ParameterCount);
        var random = new Random(options.Seed);
        var chunksPerBatch = (options.BatchSize + ChunkSize - 1) / ChunkSize;
        var chunkGradients = Enumerable.Range(0, chunksPerBatch).Select(_ => new double[shape.ParameterCount])
            .ToArray();
        var chunkLoss = new double[chunksPerBatch];
        var chunkCorrect = new int[chunksPerBatch];
        var passes = Enumerable.Range(0, chunksPerBatch).Select(_ => new OdePass(shape)).ToArray();
        var shifted = Enumerable.Range(0, chunksPerBatch).Select(_ => new double[DigitSet.PixelCount]).ToArray();
        var shifts = new (int Dx, int Dy)[train.Count];
        var gradient = new double[shape.ParameterCount];
        var batches = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var totalSteps = Math.Max(1, options.Epochs * batches);
        var step = 0;
        var reports = new List<EpochReport>();
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var order = MnistDirectory.Permutation(train.Count, random);
            for (var k = 0; k < train.Count; k++)
            {
                shifts[k] = (random.Next(-options.MaxShift, options.MaxShift + 1),
                    random.Next(-options.MaxShift, options.MaxShift + 1));
            }

            double lossSum = 0, extraSum = 0;
            var correct = 0;
            for (var start = 0; start < train.Count; start += options.BatchSize)
            {
                var size = Math.Min(options.BatchSize, train.Count - start);
                var chunks = (size + ChunkSize - 1) / ChunkSize;
                Parallel.For(0, chunks, c =>
                {
                    var g = chunkGradients[c];
                    Array.Clear(g);
                    chunkLoss[c] = 0;
                    chunkCorrect[c] = 0;
                    for (var k = start + c * ChunkSize; k < Math.Min(start + (c + 1) * ChunkSize, start + size); k++)
                    {
                        var digit = order[k];
                        Shift.Apply(train.Image(digit), shifts[k].Dx, shifts[k].Dy, shifted[c]);
                        chunkLoss[c] += passes[c].Backward(model, shifted[c], train.Label(digit), g, [],
                            options.Frozen);
                        chunkCorrect[c] += CrossEntropy.Predict(passes[c].Logits) == train.Label(digit) ? 1 : 0;
                    }
                });

                Array.Clear(gradient);
                for (var c = 0; c < chunks; c++)
                {
                    TensorPrimitives.Add(gradient, chunkGradients[c], gradient);
                    lossSum += chunkLoss[c];
                    correct += chunkCorrect[c];
                }

                TensorPrimitives.Multiply(gradient, 1.0 / size, gradient);
                if (options.Extra is { } extra)
                {
                    extraSum += extra.AddGradient(model, gradient, step) * size;
                }

                var rate = options.LearningRate * (0.55 + 0.45 * Math.Cos(Math.PI * step / totalSteps));
                adam.Step(model.Parameters, gradient, rate, ranges);
                step++;
            }

            var testAccuracy = test is null ? (double?)null : Accuracy.Of(model, test);
            var report = new EpochReport(epoch, lossSum / train.Count, extraSum / train.Count,
                (double)correct / train.Count, testAccuracy, clock.Elapsed.TotalSeconds);
            reports.Add(report);
            progress?.Invoke(report);
        }

        return reports;
    }
}
