using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Tests;

/// <summary>
/// The products of the one row-major layout against sums written out entry by entry, on shapes whose rows are and
/// are not a multiple of the four rows <see cref="Matrix.MultiplyTransposed"/> takes at a time, and whose columns are
/// and are not a multiple of the vector width.
/// </summary>
public class MatrixTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(4, 4)]
    [InlineData(7, 9)]
    [InlineData(13, 17)]
    [InlineData(5, 3)]
    [InlineData(256, 256)]
    [InlineData(301, 299)]
    public void Both_products_match_the_sums_entry_by_entry(int rows, int cols)
    {
        var random = new Random(rows * 1000 + cols);
        var values = Enumerable.Range(0, rows * cols).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var a = Matrix.FromRowMajor(rows, cols, values);
        var x = Enumerable.Range(0, cols).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var w = Enumerable.Range(0, rows).Select(_ => random.NextDouble() * 2 - 1).ToArray();

        var ax = new double[rows];
        a.Multiply(x, ax);
        // A longer output span than needed: only its first cols entries are written.
        var atw = Enumerable.Repeat(double.NaN, cols + 3).ToArray();
        a.MultiplyTransposed(w, atw);

        for (var i = 0; i < rows; i++)
        {
            var expected = Enumerable.Range(0, cols).Sum(j => values[i * cols + j] * x[j]);
            Assert.Equal(expected, ax[i], 1e-12 * cols);
        }

        var column = new double[rows];
        for (var j = 0; j < cols; j++)
        {
            var expected = Enumerable.Range(0, rows).Sum(i => values[i * cols + j] * w[i]);
            Assert.Equal(expected, atw[j], 1e-12 * rows);
            a.CopyColumn(j, column);
            Assert.Equal(Enumerable.Range(0, rows).Select(i => values[i * cols + j]), column);
        }

        Assert.All(atw[cols..], v => Assert.True(double.IsNaN(v)));
        Assert.Equal(8L * rows * cols, Matrix.StorageBytes(rows, cols));
    }
}
