using ActorContractivity.NeuralOde.Model;
using ActorContractivity.NeuralOde.Stabilise;

namespace ActorContractivity.NeuralOde.Tests;

public sealed class GradientTests
{
    private const double Step = 1e-5;

    private static readonly OdeShape Small = new(Inputs: 7, Dimension: 5, Classes: 3, Time: 0.8, Steps: 4);

    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(0.3, 2)]
    public void Backpropagation_through_the_euler_steps_matches_central_differences_for_every_parameter(
        double slope, int seed)
    {
        var (model, input, label) = RandomCase(slope, seed);
        var gradient = new double[Small.ParameterCount];
        var pass = new OdePass(Small);
        pass.Backward(model, input, label, gradient, []);

        for (var k = 0; k < model.Parameters.Length; k++)
        {
            var saved = model.Parameters[k];
            model.Parameters[k] = saved + Step;
            var plus = pass.Backward(model, input, label, [], []);
            model.Parameters[k] = saved - Step;
            var minus = pass.Backward(model, input, label, [], []);
            model.Parameters[k] = saved;
            AssertClose((plus - minus) / (2 * Step), gradient[k], $"parameter {k}");
        }
    }

    [Theory]
    [InlineData(0.0, 3)]
    [InlineData(0.6, 4)]
    public void The_input_gradient_the_attacks_use_matches_central_differences(double slope, int seed)
    {
        var (model, input, label) = RandomCase(slope, seed);
        var inputGradient = new double[Small.Inputs];
        var pass = new OdePass(Small);
        pass.Backward(model, input, label, [], inputGradient);

        for (var k = 0; k < input.Length; k++)
        {
            var plus = (double[])input.Clone();
            var minus = (double[])input.Clone();
            plus[k] += Step;
            minus[k] -= Step;
            var difference = (pass.Backward(model, plus, label, [], []) - pass.Backward(model, minus, label, [], []))
                / (2 * Step);
            AssertClose(difference, inputGradient[k], $"pixel {k}");
        }
    }

    [Fact]
    public void Frozen_blocks_get_no_gradient_and_the_others_the_same_one()
    {
        var (model, input, label) = RandomCase(0.2, 5);
        var all = new double[Small.ParameterCount];
        var withoutA = new double[Small.ParameterCount];
        var pass = new OdePass(Small);

        pass.Backward(model, input, label, all, []);
        pass.Backward(model, input, label, withoutA, [], new HashSet<ParameterGroup> { ParameterGroup.Weights });

        var a = (Small.Offset(ParameterGroup.Weights), Small.Size(ParameterGroup.Weights));
        for (var k = 0; k < all.Length; k++)
        {
            var frozen = k >= a.Item1 && k < a.Item1 + a.Item2;
            Assert.Equal(frozen ? 0.0 : all[k], withoutA[k]);
        }

        Assert.Contains(all.Skip(a.Item1).Take(a.Item2), g => Math.Abs(g) > 1e-6);
    }

    [Fact]
    public void Cross_entropy_gradient_is_the_softmax_minus_the_label()
    {
        double[] logits = [0.3, -1.2, 2.5, 0.0];
        var gradient = new double[4];
        var loss = CrossEntropy.Evaluate(logits, 2, gradient);

        var sum = logits.Sum(Math.Exp);
        Assert.Equal(Math.Log(sum) - 2.5, loss, 12);
        for (var c = 0; c < logits.Length; c++)
        {
            var plus = (double[])logits.Clone();
            var minus = (double[])logits.Clone();
            plus[c] += Step;
            minus[c] -= Step;
            var scratch = new double[4];
            var difference = (CrossEntropy.Evaluate(plus, 2, scratch) - CrossEntropy.Evaluate(minus, 2, scratch))
                / (2 * Step);
            AssertClose(difference, gradient[c], $"logit {c}");
            Assert.Equal(Math.Exp(logits[c]) / sum - (c == 2 ? 1 : 0), gradient[c], 12);
        }
    }

    [Fact]
    public void Log_norm_penalty_gradient_matches_central_differences()
    {
        const int n = 6;
        const double h = 0.1;
        var random = new Random(6);
        var weights = Enumerable.Range(0, n * n)
            .Select(k => Gaussian.Sample(random) / Math.Sqrt(n) + (k % (n + 1) == 0 ? 0.3 : 0)).ToArray();
        double[][] witnesses =
        [
            Enumerable.Repeat(1.0, n).ToArray(),
            Enumerable.Repeat(0.4, n).ToArray(),
            Enumerable.Range(0, n).Select(i => i % 3 == 0 ? 0.4 : 1.0).ToArray(),
        ];
        var options = new PenaltyOptions(TargetSlope: 0.4, C: -0.1, Weight: 3, Margin: 0.05);

        var (value, gradient) = LogNormPenalty.Evaluate(weights, n, witnesses, h, options);

        Assert.True(value > 0, "the case must activate the penalty");
        for (var k = 0; k < weights.Length; k++)
        {
            var plus = (double[])weights.Clone();
            var minus = (double[])weights.Clone();
            plus[k] += Step;
            minus[k] -= Step;
            var difference = (LogNormPenalty.Evaluate(plus, n, witnesses, h, options).Value
                - LogNormPenalty.Evaluate(minus, n, witnesses, h, options).Value) / (2 * Step);
            AssertClose(difference, gradient[k], $"weight {k}");
        }
    }

    [Fact]
    public void Push_forward_is_the_derivative_of_the_euler_map_and_pull_back_its_transpose()
    {
        var (model, _, _) = RandomCase(0.1, 7);
        var random = new Random(7);
        var u0 = Enumerable.Range(0, Small.Dimension).Select(_ => Gaussian.Sample(random)).ToArray();
        var w = Enumerable.Range(0, Small.Dimension).Select(_ => Gaussian.Sample(random)).ToArray();
        var g = Enumerable.Range(0, Small.Dimension).Select(_ => Gaussian.Sample(random)).ToArray();
        var pass = new OdePass(Small);

        var plus = pass.IntegrateFrom(model, u0.Zip(w, (u, d) => u + Step * d).ToArray()).ToArray();
        var minus = pass.IntegrateFrom(model, u0.Zip(w, (u, d) => u - Step * d).ToArray()).ToArray();
        pass.IntegrateFrom(model, u0);
        var pushed = (double[])w.Clone();
        pass.PushForward(model, pushed);
        var pulled = (double[])g.Clone();
        pass.PullBack(model, pulled);

        for (var i = 0; i < Small.Dimension; i++)
        {
            AssertClose((plus[i] - minus[i]) / (2 * Step), pushed[i], $"component {i}");
        }

        Assert.Equal(pushed.Zip(g, (a, b) => a * b).Sum(), w.Zip(pulled, (a, b) => a * b).Sum(), 12);
    }

    [Fact]
    public void Sigma_l_has_slopes_between_l_and_1_and_its_derivative_is_exact()
    {
        var activation = Activation.WithSlope(0.35);
        for (var x = -6.0; x <= 6.0; x += 0.25)
        {
            var (_, derivative) = activation.Evaluate(x);
            var difference = (activation.Evaluate(x + Step).Value - activation.Evaluate(x - Step).Value) / (2 * Step);
            Assert.InRange(derivative, 0.35, 1.0);
            AssertClose(difference, derivative, $"x = {x}");
        }

        Assert.Equal(Math.Tanh(0.7), Activation.Tanh.Evaluate(0.7).Value);
        Assert.Throws<ArgumentOutOfRangeException>(() => Activation.WithSlope(1.5));
    }

    private static (OdeClassifier Model, double[] Input, int Label) RandomCase(double slope, int seed)
    {
        var random = new Random(seed);
        var parameters = Enumerable.Range(0, Small.ParameterCount).Select(_ => 0.7 * Gaussian.Sample(random))
            .ToArray();
        var input = Enumerable.Range(0, Small.Inputs).Select(_ => random.NextDouble()).ToArray();
        return (new OdeClassifier(Small, Activation.WithSlope(slope), parameters), input, random.Next(Small.Classes));
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-7 * Math.Max(1, Math.Abs(expected)),
            $"{what}: central difference {expected}, analytic {actual}");
}
