using System.Numerics.Tensors;

namespace ActorContractivity.NeuralOde.Model;

/// <summary>
/// The forward pass of one input through an <see cref="OdeClassifier"/> and its exact backward pass (reverse-mode
/// differentiation of the Euler steps, not the continuous adjoint), with the buffers both need. With
/// z_k = A u_k + b and u_{k+1} = u_k + h σ(z_k), the backward pass carries g = ∂L/∂u_{k+1} to
/// g + Aᵀ s_k where s_k = h σ′(z_k) ⊙ g, and adds s_k u_kᵀ to ∂L/∂A and s_k to ∂L/∂b. One pass is used
/// by one thread at a time.
/// </summary>
public sealed class OdePass
{
    private readonly OdeShape _shape;
    private readonly double[] _states;
    private readonly double[] _slopes;
    private readonly double[] _logits;
    private readonly double[] _adjoint;
    private readonly double[] _scaled;
    private readonly double[] _logitGradient;

    /// <summary>Buffers for models of <paramref name="shape"/>.</summary>
    public OdePass(OdeShape shape)
    {
        _shape = shape;
        _states = new double[(shape.Steps + 1) * shape.Dimension];
        _slopes = new double[shape.Steps * shape.Dimension];
        _logits = new double[shape.Classes];
        _adjoint = new double[shape.Dimension];
        _scaled = new double[shape.Dimension];
        _logitGradient = new double[shape.Classes];
    }

    /// <summary>u_k of the last forward pass (k = 0 … N).</summary>
    public ReadOnlySpan<double> State(int k) => _states.AsSpan(k * _shape.Dimension, _shape.Dimension);

    /// <summary>The logits of the last forward pass.</summary>
    public ReadOnlySpan<double> Logits => _logits;

    /// <summary>Embeds <paramref name="input"/>, integrates and reads out; returns the logits.</summary>
    public ReadOnlySpan<double> Forward(OdeClassifier model, ReadOnlySpan<double> input)
    {
        var n = _shape.Dimension;
        var embedding = model.Block(ParameterGroup.Embedding);
        var embeddingBias = model.Block(ParameterGroup.EmbeddingBias);
        var u0 = _states.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            u0[i] = TensorPrimitives.Dot(embedding.Slice(i * _shape.Inputs, _shape.Inputs), input) + embeddingBias[i];
        }

        Integrate(model);
        Readout(model);
        return _logits;
    }

    /// <summary>Integrates from a given initial state u₀ (the embedding is skipped); returns u(T).</summary>
    public ReadOnlySpan<double> IntegrateFrom(OdeClassifier model, ReadOnlySpan<double> initial)
    {
        initial.CopyTo(_states.AsSpan(0, _shape.Dimension));
        Integrate(model);
        return State(_shape.Steps);
    }

    /// <summary>
    /// Forward and backward pass for one labelled input; returns the cross-entropy loss. Adds ∂L/∂θ to
    /// <paramref name="gradient"/> unless it is empty and writes ∂L/∂x to <paramref name="inputGradient"/> unless
    /// it is empty. Blocks in <paramref name="frozen"/> get no gradient.
    /// </summary>
    public double Backward(
        OdeClassifier model, ReadOnlySpan<double> input, int label, Span<double> gradient, Span<double> inputGradient,
        IReadOnlySet<ParameterGroup>? frozen = null)
    {
        Forward(model, input);
        var loss = CrossEntropy.Evaluate(_logits, label, _logitGradient);
        var withParameters = !gradient.IsEmpty;
        bool Learns(ParameterGroup group) => withParameters && (frozen is null || !frozen.Contains(group));

        var n = _shape.Dimension;
        var readout = model.Block(ParameterGroup.Readout);
        var final = State(_shape.Steps);
        _adjoint.AsSpan().Clear();
        for (var c = 0; c < _shape.Classes; c++)
        {
            TensorPrimitives.MultiplyAdd(readout.Slice(c * n, n), _logitGradient[c], _adjoint, _adjoint);
        }

        if (Learns(ParameterGroup.Readout))
        {
            var gradReadout = Block(gradient, ParameterGroup.Readout);
            for (var c = 0; c < _shape.Classes; c++)
            {
                var row = gradReadout.Slice(c * n, n);
                TensorPrimitives.MultiplyAdd(final, _logitGradient[c], row, row);
            }
        }

        if (Learns(ParameterGroup.ReadoutBias))
        {
            var gradBias = Block(gradient, ParameterGroup.ReadoutBias);
            TensorPrimitives.Add(gradBias, _logitGradient, gradBias);
        }

        BackwardThroughSteps(model, gradient, Learns(ParameterGroup.Weights), Learns(ParameterGroup.Bias));
        BackwardThroughEmbedding(model, input, gradient, inputGradient, Learns(ParameterGroup.Embedding),
            Learns(ParameterGroup.EmbeddingBias));
        return loss;
    }

    private void Integrate(OdeClassifier model)
    {
        var n = _shape.Dimension;
        var h = _shape.StepSize;
        var weights = model.Block(ParameterGroup.Weights);
        var bias = model.Block(ParameterGroup.Bias);
        for (var k = 0; k < _shape.Steps; k++)
        {
            var u = _states.AsSpan(k * n, n);
            var next = _states.AsSpan((k + 1) * n, n);
            var slopes = _slopes.AsSpan(k * n, n);
            for (var i = 0; i < n; i++)
            {
                var (value, derivative) = model.Activation.Evaluate(TensorPrimitives.Dot(weights.Slice(i * n, n), u)
                    + bias[i]);
                next[i] = u[i] + h * value;
                slopes[i] = derivative;
            }
        }
    }

    private void Readout(OdeClassifier model)
    {
        var n = _shape.Dimension;
        var readout = model.Block(ParameterGroup.Readout);
        var readoutBias = model.Block(ParameterGroup.ReadoutBias);
        var final = State(_shape.Steps);
        for (var c = 0; c < _shape.Classes; c++)
        {
            _logits[c] = TensorPrimitives.Dot(readout.Slice(c * n, n), final) + readoutBias[c];
        }
    }

    /// <summary>
    /// The derivative of the Euler map u₀ ↦ u_N of the last forward pass applied to <paramref name="direction"/>,
    /// in place: w ← (I + h D_k A) w for k = 0 … N − 1 with D_k = σ′(z_k).
    /// </summary>
    public void PushForward(OdeClassifier model, Span<double> direction)
    {
        var n = _shape.Dimension;
        var h = _shape.StepSize;
        var a = model.Block(ParameterGroup.Weights);
        for (var k = 0; k < _shape.Steps; k++)
        {
            var slopes = _slopes.AsSpan(k * n, n);
            for (var i = 0; i < n; i++)
            {
                _scaled[i] = h * slopes[i] * TensorPrimitives.Dot(a.Slice(i * n, n), direction);
            }

            TensorPrimitives.Add(direction, _scaled, direction);
        }
    }

    /// <summary>
    /// The transpose of <see cref="PushForward"/> applied to <paramref name="cotangent"/>, in place:
    /// g ← g + Aᵀ(h D_k g) for k = N − 1 … 0.
    /// </summary>
    public void PullBack(OdeClassifier model, Span<double> cotangent)
    {
        cotangent.CopyTo(_adjoint);
        BackwardThroughSteps(model, default, weights: false, bias: false);
        _adjoint.CopyTo(cotangent);
    }

    private void BackwardThroughSteps(OdeClassifier model, Span<double> gradient, bool weights, bool bias)
    {
        var n = _shape.Dimension;
        var h = _shape.StepSize;
        var a = model.Block(ParameterGroup.Weights);
        var gradWeights = weights ? Block(gradient, ParameterGroup.Weights) : default;
        var gradBias = bias ? Block(gradient, ParameterGroup.Bias) : default;
        for (var k = _shape.Steps - 1; k >= 0; k--)
        {
            TensorPrimitives.Multiply(_slopes.AsSpan(k * n, n), _adjoint, _scaled);
            TensorPrimitives.Multiply(_scaled, h, _scaled);
            var u = State(k);
            for (var i = 0; i < n; i++)
            {
                if (weights)
                {
                    var row = gradWeights.Slice(i * n, n);
                    TensorPrimitives.MultiplyAdd(u, _scaled[i], row, row);
                }

                TensorPrimitives.MultiplyAdd(a.Slice(i * n, n), _scaled[i], _adjoint, _adjoint);
            }

            if (bias)
            {
                TensorPrimitives.Add(gradBias, _scaled, gradBias);
            }
        }
    }

    private void BackwardThroughEmbedding(
        OdeClassifier model, ReadOnlySpan<double> input, Span<double> gradient, Span<double> inputGradient,
        bool embedding, bool embeddingBias)
    {
        var n = _shape.Dimension;
        var d = _shape.Inputs;
        if (embedding)
        {
            var gradEmbedding = Block(gradient, ParameterGroup.Embedding);
            for (var i = 0; i < n; i++)
            {
                var row = gradEmbedding.Slice(i * d, d);
                TensorPrimitives.MultiplyAdd(input, _adjoint[i], row, row);
            }
        }

        if (embeddingBias)
        {
            var gradBias = Block(gradient, ParameterGroup.EmbeddingBias);
            TensorPrimitives.Add(gradBias, _adjoint, gradBias);
        }

        if (!inputGradient.IsEmpty)
        {
            var e = model.Block(ParameterGroup.Embedding);
            inputGradient.Clear();
            for (var i = 0; i < n; i++)
            {
                TensorPrimitives.MultiplyAdd(e.Slice(i * d, d), _adjoint[i], inputGradient, inputGradient);
            }
        }
    }

    private Span<double> Block(Span<double> gradient, ParameterGroup group) =>
        gradient.Slice(_shape.Offset(group), _shape.Size(group));
}
