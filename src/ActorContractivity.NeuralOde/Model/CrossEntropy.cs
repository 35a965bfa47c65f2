namespace ActorContractivity.NeuralOde.Model;

/// <summary>Softmax cross-entropy of logits against a class label.</summary>
public static class CrossEntropy
{
    /// <summary>
    /// L = log Σ_c exp(z_c) − z_label, computed with the largest logit subtracted so exp cannot overflow; writes
    /// ∂L/∂z = softmax(z) − e_label to <paramref name="gradient"/>.
    /// </summary>
    public static double Evaluate(ReadOnlySpan<double> logits, int label, Span<double> gradient)
    {
        var largest = double.NegativeInfinity;
        foreach (var z in logits)
        {
            largest = Math.Max(largest, z);
        }

        var sum = 0.0;
        for (var c = 0; c < logits.Length; c++)
        {
            gradient[c] = Math.Exp(logits[c] - largest);
            sum += gradient[c];
        }

        for (var c = 0; c < logits.Length; c++)
        {
            gradient[c] /= sum;
        }

        gradient[label] -= 1;
        return Math.Log(sum) + largest - logits[label];
    }

    /// <summary>The index of the largest logit (the first, on ties).</summary>
    public static int Predict(ReadOnlySpan<double> logits)
    {
        var best = 0;
        for (var c = 1; c < logits.Length; c++)
        {
            if (logits[c] > logits[best])
            {
                best = c;
            }
        }

        return best;
    }
}
