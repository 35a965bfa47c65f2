using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.NeuralOde.Model;
using ActorContractivity.NeuralOde.Training;
using MathNet.Numerics.LinearAlgebra;

namespace ActorContractivity.NeuralOde.Stabilise;

/// <summary>Settings of the log-norm penalty.</summary>
/// <param name="TargetSlope">ℓ_target: the penalty asks the whole box [ℓ_target, 1] to satisfy the bound.</param>
/// <param name="C">The contraction rate c the Euler steps should keep.</param>
/// <param name="Weight">ρ in (ρ/2) Σ_k max(0, λ_k + offset)².</param>
/// <param name="Margin">How far below the bound the penalty aims, so the proof has room.</param>
/// <param name="RefreshEvery">Optimiser steps between searches for a new worst slope pattern.</param>
/// <param name="Seed">Seed of the worst-case search.</param>
public sealed record PenaltyOptions(
    double TargetSlope = 0.5, double C = 0.0, double Weight = 1000.0, double Margin = 0.05, int RefreshEvery = 25,
    int Seed = 0);

/// <summary>
/// DESIGN §1.7: a penalty on the worst-case log-norm that moves A until a slope interval exists. For a witness
/// pattern D, λ_max(Sym(DA)) + (h/2)‖A‖₂² ≤ c_h makes the Euler step contract at rate c on D (see
/// <see cref="EulerContraction"/>). Pushing only λ_max down lets the next eigenvalue take its place at every step,
/// so every eigenvalue above the threshold pays: (ρ/2) Σ_k max(0, λ_k(Sym(DA)) + (h/2)‖A‖₂² − c_h +
/// margin)², which vanishes exactly when λ_max(Sym(DA)) ≤ c′ − margin and, as a spectral function of a C¹
/// function, stays differentiable where eigenvalues coincide. With x_k the unit eigenvectors,
/// ∂λ_k(Sym(DA))/∂A = D x_k x_kᵀ (the witness gradient of DESIGN §1.7 for the top one) and
/// ∂‖A‖₂²/∂A = 2σ₁ u₁v₁ᵀ, exact where σ₁ is simple. The witnesses are
/// D = I (no interval exists while it breaks the bound), D = ℓ_target·I and the latest worst vertices of
/// [ℓ_target, 1]ⁿ that the inner solver finds every few steps.
/// </summary>
public sealed class LogNormPenalty(OdeShape shape, PenaltyOptions options) : ILossTerm
{
    /// <summary>Searched witnesses kept besides D = I and D = ℓ_target·I (the most recent ones).</summary>
    public const int SearchedWitnesses = 3;

    private readonly List<double[]> _searched = [];

    /// <summary>The witness patterns the penalty currently holds.</summary>
    public IReadOnlyList<double[]> Witnesses =>
    [
        Enumerable.Repeat(1.0, shape.Dimension).ToArray(),
        Enumerable.Repeat(options.TargetSlope, shape.Dimension).ToArray(),
        .. _searched,
    ];

    /// <inheritdoc />
    public double AddGradient(OdeClassifier model, Span<double> gradient, int step)
    {
        var weights = model.Block(ParameterGroup.Weights);
        if (step % options.RefreshEvery == 0)
        {
            Refresh(weights);
        }

        var (value, penaltyGradient) = Evaluate(weights, shape.Dimension, Witnesses, shape.StepSize, options);
        var block = gradient.Slice(shape.Offset(ParameterGroup.Weights), shape.Size(ParameterGroup.Weights));
        for (var k = 0; k < block.Length; k++)
        {
            block[k] += penaltyGradient[k];
        }

        return value;
    }

    /// <summary>The penalty and its gradient with respect to the row-major n×n weights.</summary>
    public static (double Value, double[] Gradient) Evaluate(
        ReadOnlySpan<double> weights, int n, IReadOnlyList<double[]> witnesses, double h, PenaltyOptions options)
    {
        var (sigma, left, right) = EulerContraction.TopSingularTriple(weights, n);
        var offset = 0.5 * h * sigma * sigma - EulerContraction.StepTarget(options.C, h) + options.Margin;
        var value = 0.0;
        var gradient = new double[n * n];
        foreach (var slopes in witnesses)
        {
            var (eigenvalues, eigenvectors) = Eigenpairs(weights, n, slopes);
            for (var k = 0; k < n; k++)
            {
                var excess = eigenvalues[k] + offset;
                if (excess <= 0)
                {
                    continue;
                }

                value += 0.5 * options.Weight * excess * excess;
                var x = eigenvectors[k];
                for (var i = 0; i < n; i++)
                {
                    for (var j = 0; j < n; j++)
                    {
                        gradient[i * n + j] += options.Weight * excess
                            * (slopes[i] * x[i] * x[j] + h * sigma * left[i] * right[j]);
                    }
                }
            }
        }

        return (value, gradient);
    }

    /// <summary>λ_max(Sym(DA)) and its unit eigenvector.</summary>
    public static (double Value, double[] Vector) TopEigenpair(ReadOnlySpan<double> weights, int n, double[] slopes)
    {
        var (values, vectors) = Eigenpairs(weights, n, slopes);
        var top = Array.IndexOf(values, values.Max());
        return (values[top], vectors[top]);
    }

    /// <summary>All eigenvalues of Sym(DA) and their unit eigenvectors.</summary>
    private static (double[] Values, double[][] Vectors) Eigenpairs(
        ReadOnlySpan<double> weights, int n, double[] slopes)
    {
        var symmetric = Matrix<double>.Build.Dense(n, n);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                symmetric[i, j] = 0.5 * (slopes[i] * weights[i * n + j] + slopes[j] * weights[j * n + i]);
            }
        }

        var evd = symmetric.Evd(Symmetricity.Symmetric);
        return (evd.EigenValues.Select(v => v.Real).ToArray(),
            Enumerable.Range(0, n).Select(k => evd.EigenVectors.Column(k).ToArray()).ToArray());
    }

    /// <summary>The worst vertex of [ℓ_target, 1]ⁿ the inner solver finds for the current weights.</summary>
    private void Refresh(ReadOnlySpan<double> weights)
    {
        var sample = new Sample(0, [Matrix.FromRowMajor(shape.Dimension, shape.Dimension, weights)]);
        var worst = InnerSolver.Solve(sample, 0, options.TargetSlope, 1.0, null,
            new InnerOptions(Starts: 4, Seed: options.Seed, MaxDegreeOfParallelism: 1));
        _searched.Add(worst.Slopes);
        if (_searched.Count > SearchedWitnesses)
        {
            _searched.RemoveAt(0);
        }
    }
}
