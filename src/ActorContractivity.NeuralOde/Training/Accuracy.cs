using ActorContractivity.NeuralOde.Datasets;
using ActorContractivity.NeuralOde.Model;

namespace ActorContractivity.NeuralOde.Training;

/// <summary>Predictions of a model on a set of digits, in parallel.</summary>
public static class Accuracy
{
    /// <summary>The share of <paramref name="digits"/> classified correctly.</summary>
    public static double Of(OdeClassifier model, DigitSet digits) =>
        digits.Count == 0 ? 0 : (double)Correct(model, digits.Count, digits.Label, digits.Image) / digits.Count;

    /// <summary>
    /// How many of <paramref name="count"/> inputs (given by <paramref name="input"/>) get their label. Each thread
    /// has its own pass.
    /// </summary>
    public static int Correct(OdeClassifier model, int count, Func<int, int> label, InputSource input)
    {
        var correct = 0;
        Parallel.For(0, count, () => (Pass: new OdePass(model.Shape), Count: 0), (k, _, local) =>
        {
            var logits = local.Pass.Forward(model, input(k));
            return (local.Pass, local.Count + (CrossEntropy.Predict(logits) == label(k) ? 1 : 0));
        }, local => Interlocked.Add(ref correct, local.Count));
        return correct;
    }
}

/// <summary>The input with index k.</summary>
public delegate ReadOnlySpan<double> InputSource(int k);
