using ActorContractivity.NeuralOde.Datasets;
using ActorContractivity.NeuralOde.Model;

namespace ActorContractivity.NeuralOde.Training;

/// <summary>Predictions of a model on a set of digits, in parallel.</summary>
public static class Accuracy
{
    /// <summary>The share of <paramref name="digits"/> classified correctly.</summary>
    public static double Of(OdeClassifier model, DigitSet digits)
    {
        var correct = 0;
        Parallel.For(0, digits.Count, () => (Pass: new OdePass(model.Shape), Count: 0), (k, _, local) =>
        {
            var logits = local.Pass.Forward(model, digits.Image(k));
            return (local.Pass, local.Count + (CrossEntropy.Predict(logits) == digits.Label(k) ? 1 : 0));
        }, local => Interlocked.Add(ref correct, local.Count));
        return digits.Count == 0 ? 0 : (double)correct / digits.Count;
    }
}
