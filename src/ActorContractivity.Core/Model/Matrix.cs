using System.Numerics.Tensors;

namespace ActorContractivity.Core.Model;

/// <summary>
/// A dense, immutable real matrix kept in two layouts: row-major for <c>A x</c> and the transpose row-major
/// for <c>Aᵀ y</c>. Both products then stream contiguous rows through a vectorised dot product, which is
/// what makes them run at memory bandwidth; the duplicated storage is the price.
/// </summary>
public sealed class Matrix
{
    private readonly double[] _rowMajor;
    private readonly double[] _transposeRowMajor;

    private Matrix(int rows, int cols, double[] rowMajor)
    {
        Rows = rows;
        Cols = cols;
        _rowMajor = rowMajor;
        _transposeRowMajor = new double[rowMajor.Length];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                _transposeRowMajor[j * rows + i] = rowMajor[i * cols + j];
            }
        }
    }

    /// <summary>Number of rows (outputs of the layer).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (inputs of the layer).</summary>
    public int Cols { get; }

    /// <summary>True when the matrix is square.</summary>
    public bool IsSquare => Rows == Cols;

    /// <summary>Bytes of weights a rows×cols matrix keeps: both layouts of eight-byte entries.</summary>
    public static long StorageBytes(int rows, int cols) => 2L * 8 * rows * cols;

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

    /// <summary>Column j as a span (row j of the transpose).</summary>
    public ReadOnlySpan<double> Column(int j) => _transposeRowMajor.AsSpan(j * Rows, Rows);

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

    /// <summary>y = Aᵀ x.</summary>
    public void MultiplyTransposed(ReadOnlySpan<double> x, Span<double> y)
    {
        var t = _transposeRowMajor.AsSpan();
        for (var j = 0; j < Cols; j++)
        {
            y[j] = TensorPrimitives.Dot(t.Slice(j * Rows, Rows), x);
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
