using System.Numerics;
using System.Numerics.Tensors;

namespace ActorContractivity.Core.Model;

/// <summary>
/// A dense, immutable real matrix, row-major. Both products stream its contiguous rows once through vectorised
/// kernels: <c>A x</c> as a dot product per row, <c>Aᵀ y</c> as a sum of rows scaled by the entries of y. One layout
/// keeps a sample's weights in half the memory and cache that a second, transposed copy would take.
/// </summary>
public sealed class Matrix
{
    private readonly double[] _rowMajor;

    private Matrix(int rows, int cols, double[] rowMajor)
    {
        Rows = rows;
        Cols = cols;
        _rowMajor = rowMajor;
    }

    /// <summary>Number of rows (outputs of the layer).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (inputs of the layer).</summary>
    public int Cols { get; }

    /// <summary>True when the matrix is square.</summary>
    public bool IsSquare => Rows == Cols;

    /// <summary>Bytes of weights a rows×cols matrix keeps: eight per entry.</summary>
    public static long StorageBytes(int rows, int cols) => 8L * rows * cols;

    /// <summary>Entry (i, j).</summary>
    public double this[int i, int j] => _rowMajor[i * Cols + j];

    /// <summary>Builds a matrix from a row-major array, which is copied.</summary>
    public static Matrix FromRowMajor(int rows, int cols, ReadOnlySpan<double> values)
    {
        if (rows <= 0 || cols <= 0)
        {
            throw new ArgumentException($"a matrix needs at least one row and one column, got {rows}×{cols}");
        }

        if (values.Length != rows * cols)
        {
            throw new ArgumentException($"{rows}×{cols} matrix needs {rows * cols} values, got {values.Length}");
        }

        for (var k = 0; k < values.Length; k++)
        {
            if (!double.IsFinite(values[k]))
            {
                throw new ArgumentException(
                    $"entry ({k / cols}, {k % cols}) is {values[k]}; weights must be finite numbers");
            }
        }

        return new Matrix(rows, cols, values.ToArray());
    }

    /// <summary>Builds a matrix from rows of equal length.</summary>
    public static Matrix FromRows(IReadOnlyList<double[]> rows)
    {
        if (rows.Count == 0 || rows[0].Length == 0)
        {
            throw new ArgumentException("a matrix needs at least one row and one column");
        }

        var cols = rows[0].Length;
        var values = new double[rows.Count * cols];
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != cols)
            {
                throw new ArgumentException($"row {i} has {rows[i].Length} entries, row 0 has {cols}");
            }

            rows[i].CopyTo(values, i * cols);
        }

        return FromRowMajor(rows.Count, cols, values);
    }

    /// <summary>Row i as a span.</summary>
    public ReadOnlySpan<double> Row(int i) => _rowMajor.AsSpan(i * Cols, Cols);

    /// <summary>Copies column j into the first <see cref="Rows"/> entries of <paramref name="into"/>.</summary>
    public void CopyColumn(int j, Span<double> into)
    {
        for (var i = 0; i < Rows; i++)
        {
            into[i] = _rowMajor[i * Cols + j];
        }
    }

    /// <summary>The row-major values (read-only view).</summary>
    public ReadOnlySpan<double> RowMajorValues => _rowMajor;

    /// <summary>y = A x.</summary>
    public void Multiply(ReadOnlySpan<double> x, Span<double> y)
    {
        var a = _rowMajor.AsSpan();
        for (var i = 0; i < Rows; i++)
        {
            y[i] = TensorPrimitives.Dot(a.Slice(i * Cols, Cols), x);
        }
    }

    /// <summary>
    /// y = Aᵀ x, as the rows scaled by the entries of x and summed, four rows at a time so that y is loaded and
    /// stored once per four rows. <paramref name="x"/> and <paramref name="y"/> must not overlap.
    /// </summary>
    public void MultiplyTransposed(ReadOnlySpan<double> x, Span<double> y)
    {
        var a = _rowMajor.AsSpan();
        var n = Cols;
        y = y[..n];
        y.Clear();
        var width = Vector<double>.Count;
        var i = 0;
        for (; i + 4 <= Rows; i += 4)
        {
            var r0 = a.Slice(i * n, n);
            var r1 = a.Slice((i + 1) * n, n);
            var r2 = a.Slice((i + 2) * n, n);
            var r3 = a.Slice((i + 3) * n, n);
            var (s0, s1, s2, s3) = (x[i], x[i + 1], x[i + 2], x[i + 3]);
            var v0 = new Vector<double>(s0);
            var v1 = new Vector<double>(s1);
            var v2 = new Vector<double>(s2);
            var v3 = new Vector<double>(s3);
            var j = 0;
            for (; j + width <= n; j += width)
            {
                var sum = new Vector<double>(y[j..]) + v0 * new Vector<double>(r0[j..])
                    + v1 * new Vector<double>(r1[j..]) + v2 * new Vector<double>(r2[j..])
                    + v3 * new Vector<double>(r3[j..]);
                sum.CopyTo(y[j..]);
            }

            for (; j < n; j++)
            {
                y[j] = y[j] + s0 * r0[j] + s1 * r1[j] + s2 * r2[j] + s3 * r3[j];
            }
        }

        for (; i < Rows; i++)
        {
            TensorPrimitives.MultiplyAdd(a.Slice(i * n, n), x[i], y, y);
        }
    }

    /// <summary>A copy as a jagged array of rows (for reports and tests).</summary>
    public double[][] ToRows()
    {
        var rows = new double[Rows][];
        for (var i = 0; i < Rows; i++)
        {
            rows[i] = Row(i).ToArray();
        }

        return rows;
    }
}
