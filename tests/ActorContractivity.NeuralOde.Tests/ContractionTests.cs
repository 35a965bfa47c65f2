using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Outer;
using ActorContractivity.NeuralOde.Attacks;
using ActorContractivity.NeuralOde.Datasets;
using ActorContractivity.NeuralOde.Model;
using ActorContractivity.NeuralOde.Stabilise;
using CoreMatrix = ActorContractivity.Core.Model.Matrix;
using DenseMatrix = MathNet.Numerics.LinearAlgebra.Matrix<double>;

namespace ActorContractivity.NeuralOde.Tests;

public sealed class ContractionTests
{
    private const int N = 6;

    private static readonly OdeShape Shape = new(Inputs: 1, Dimension: N, Classes: 2, Time: 1.0, Steps: 10);

    [Theory]
    [InlineData(0.0, 11)]
    [InlineData(-0.3, 12)]
    public void Euler_pairs_of_a_certified_model_never_separate_faster_than_e_to_the_cT(double c, int seed)
    {
        var random = new Random(seed);
        var (weights, _, _, answer) = Certified(random, c);
        Assert.True(answer.Feasible);
        Assert.Equal(CertificateStatus.Exact, answer.Status);
        var slope = answer.Lower!.Value;
        Assert.InRange(slope, 0.05, 0.95);

        var model = Model(weights, Activation.WithSlope(slope), random);
        var pass = new OdePass(Shape);
        var bound = Math.Exp(c * Shape.Time);
        var largest = 0.0;
        for (var pair = 0; pair < 3000; pair++)
        {
            var u0 = Enumerable.Range(0, N).Select(_ => 3 * Gaussian.Sample(random)).ToArray();
            var scale = Math.Pow(10, -3 + 3.5 * random.NextDouble());
            var v0 = u0.Select(u => u + scale * Gaussian.Sample(random)).ToArray();
            largest = Math.Max(largest, Contraction.Ratio(model, pass, u0, v0)!.Value);
        }

        Assert.True(largest <= bound, $"ratio {largest} exceeds e^(cT) = {bound}");
        Assert.True(largest >= 0.3 * bound, $"ratio {largest}: the pairs do not test the bound");
    }

    [Fact]
    public void Every_euler_step_of_the_certified_box_has_norm_at_most_e_to_the_hc()
    {
        const double c = -0.1;
        var (weights, beta, flowBound, answer) = Certified(new Random(13), c);
        var h = Shape.StepSize;
        var slope = answer.Lower!.Value;
        var a = DenseMatrix.Build.Dense(N, N, (i, j) => weights[i * N + j]);

        var largest = 0.0;
        for (var vertex = 0; vertex < 1 << N; vertex++)
        {
            var d = DenseMatrix.Build.DenseOfDiagonalArray(
                Enumerable.Range(0, N).Select(i => (vertex >> i & 1) == 1 ? 1.0 : slope).ToArray());
            var step = DenseMatrix.Build.DenseIdentity(N) + h * d * a;
            largest = Math.Max(largest, step.L2Norm());
        }

        Assert.True(largest <= Math.Exp(h * c), $"‖I + hDA‖₂ = {largest} > e^(hc) = {Math.Exp(h * c)}");
        Assert.True(largest <= Math.Sqrt(1 + 2 * h * flowBound + h * h * beta * beta) + 1e-12);
    }

    [Fact]
    public void An_expanding_flow_is_measured_as_expanding()
    {
        var random = new Random(14);
        var weights = Enumerable.Range(0, N * N).Select(k => k % (N + 1) == 0 ? 0.8 : 0.0).ToArray();
        var model = Model(weights, Activation.WithSlope(0.9), random);
        var pass = new OdePass(Shape);
        double[] u0 = [0.1, -0.2, 0.05, 0, 0.3, -0.1];

        var ratio = Contraction.Ratio(model, pass, u0, u0.Select(u => u + 1e-3).ToArray())!.Value;

        Assert.InRange(ratio, Math.Exp(0.9 * 0.8 * 0.8), Math.Exp(0.8 * 1.05));
        Assert.Null(Contraction.Ratio(model, pass, u0, u0));
    }

    [Fact]
    public void The_most_expanded_direction_is_one_no_random_direction_beats()
    {
        var random = new Random(15);
        var weights = Enumerable.Range(0, N * N).Select(_ => Gaussian.Sample(random)).ToArray();
        var model = Model(weights, Activation.Tanh, random);
        var pass = new OdePass(Shape);
        var u0 = Enumerable.Range(0, N).Select(_ => Gaussian.Sample(random)).ToArray();
        double RatioAlong(double[] w) =>
            Contraction.Ratio(model, pass, u0, u0.Zip(w, (u, d) => u + 1e-6 * d).ToArray())!.Value;

        var expansion = Contraction.WorstDirection(model, pass, u0, RobustnessOptions.Direction, new Random(1));
        var worst = RatioAlong(expansion.Direction);

        Assert.True(expansion.Converged);
        Assert.Equal(worst, expansion.Gain, 1e-5 * worst);
        for (var k = 0; k < 200; k++)
        {
            var w = Enumerable.Range(0, N).Select(_ => Gaussian.Sample(random)).ToArray();
            var norm = Math.Sqrt(w.Sum(v => v * v));
            Assert.True(RatioAlong(w.Select(v => v / norm).ToArray()) <= worst * (1 + 1e-6));
        }
    }

    [Fact]
    public void The_most_expanded_direction_reaches_the_largest_singular_value_of_the_euler_map()
    {
        var (model, digits, largest) = Clustered();

        var report = Robustness.Evaluate(model, digits, new RobustnessOptions([], []));

        Assert.Equal(2 * digits.Count, report.WorstDirection.Pairs);
        Assert.Equal(largest, report.WorstDirection.Max, 1e-6 * largest);
    }

    [Fact]
    public void The_largest_jacobian_norm_is_reported_with_what_finding_it_cost()
    {
        var (model, digits, largest) = Clustered();

        var jacobian = Robustness.Evaluate(model, digits, new RobustnessOptions([], [])).Jacobian;

        Assert.Equal(digits.Count, jacobian.Digits);
        Assert.Equal(largest, jacobian.Max, 1e-9 * largest);
        Assert.Equal(0, jacobian.Unconverged);
        Assert.InRange(jacobian.MaxProducts, 2, RobustnessOptions.Direction.MaxProducts);
    }

    /// <summary>
    /// A model whose Euler map at every digit is (I + hA)^N with A symmetric and its 32 eigenvalues 0.01 apart, so the
    /// top singular values of the map lie within 1% of each other and a few power iterations stop short of the
    /// largest, (1 + h·0.31)^N. The embedding is zero: every digit starts at u₀ = 0, where σ′ = 1, and a small
    /// perturbation of it is measured with the map's linear part to about 1e-7.
    /// </summary>
    private static (OdeClassifier Model, DigitSet Digits, double Largest) Clustered()
    {
        const int n = 32;
        var shape = new OdeShape(Inputs: DigitSet.PixelCount, Dimension: n, Classes: 10, Time: 1.0, Steps: 10);
        var random = new Random(16);
        var q = DenseMatrix.Build.Dense(n, n, (_, _) => Gaussian.Sample(random)).QR().Q;
        var eigenvalues = Enumerable.Range(0, n).Select(i => 0.31 - 0.01 * i).ToArray();
        var a = q * DenseMatrix.Build.DenseOfDiagonalArray(eigenvalues) * q.Transpose();
        var model = new OdeClassifier(shape, Activation.WithSlope(0.5), new double[shape.ParameterCount]);
        a.ToRowMajorArray().CopyTo(model.Block(ParameterGroup.Weights));
        var pixels = Enumerable.Range(0, 3 * DigitSet.PixelCount).Select(_ => random.NextDouble()).ToArray();
        return (model, new DigitSet(pixels, [1, 4, 7]), Math.Pow(1 + shape.StepSize * eigenvalues[0], shape.Steps));
    }

    /// <summary>
    /// A contractive A, its β, c′ for Euler steps at rate <paramref name="c"/>, and certify's answer for
    /// c′ (exact: six slopes are enumerated).
    /// </summary>
    private static (double[] Weights, double Beta, double FlowBound, IntervalAnswer Answer) Certified(
        Random random, double c)
    {
        var weights = Contractive(random);
        var beta = EulerContraction.SpectralNormBound(weights, N);
        var flowBound = EulerContraction.FlowBound(c, Shape.StepSize, beta);
        var answer = IntervalSolver.Solve(ActorContractivity.Core.Model.NeuralOdeModel.OneLayer(
            CoreMatrix.FromRowMajor(N, N, weights)), new IntervalQuestion(C: flowBound), new InnerOptions());
        return (weights, beta, flowBound, answer);
    }

    /// <summary>A = −I + a random matrix of spectral norm about 0.6: strongly contractive at D = I.</summary>
    private static double[] Contractive(Random random) => Enumerable.Range(0, N * N)
        .Select(k => 0.3 * Gaussian.Sample(random) / Math.Sqrt(N) * 2 - (k % (N + 1) == 0 ? 1.0 : 0.0))
        .ToArray();

    private static OdeClassifier Model(double[] weights, Activation activation, Random random)
    {
        var model = new OdeClassifier(Shape, activation, new double[Shape.ParameterCount]);
        weights.CopyTo(model.Block(ParameterGroup.Weights));
        var bias = model.Block(ParameterGroup.Bias);
        for (var i = 0; i < N; i++)
        {
            bias[i] = Gaussian.Sample(random);
        }

        return model;
    }
}
