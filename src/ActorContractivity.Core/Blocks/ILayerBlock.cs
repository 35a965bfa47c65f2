namespace ActorContractivity.Core.Blocks;

/// <summary>Where a block sits in its sample's chain of layers and what it holds.</summary>
/// <param name="FirstLayer">Index of the block's first layer in the sample (0 = A_1).</param>
/// <param name="LayerCount">How many consecutive layers the block holds.</param>
/// <param name="InputWidth">Length of the vectors the block's forward pass takes (n for the first block).</param>
/// <param name="OutputWidth">Length of the vectors it returns (n for the last block).</param>
/// <param name="SlopeOffset">Start of the block's diagonals in the sample's flat slopes D_1 … D_k.</param>
/// <param name="SlopeCount">How many slopes (diagonal entries) the block owns.</param>
/// <param name="WeightBytes">Bytes of weights the block keeps (eight per entry of every layer).</param>
public sealed record BlockShape(
    int FirstLayer, int LayerCount, int InputWidth, int OutputWidth, int SlopeOffset, int SlopeCount, long WeightBytes);

/// <summary>A slope whose flip from one bound to the other looks promising, and by how much.</summary>
/// <param name="Slope">Index of the slope in the sample's flat slopes.</param>
/// <param name="Promise">The estimated F after the flip (one-layer flows) or its first-order gain.</param>
public readonly record struct FlipCandidate(int Slope, double Promise)
{
    /// <summary>Most promising first; equal promises by index, the order a stable sort of all slopes gives.</summary>
    public static int MostPromisingFirst(FlipCandidate a, FlipCandidate b)
    {
        var byPromise = b.Promise.CompareTo(a.Promise);
        return byPromise != 0 ? byPromise : a.Slope.CompareTo(b.Slope);
    }
}

/// <summary>
/// A contiguous run of a sample's layers A_{f+1} … A_{f+m} together with their diagonal slopes: the unit that can
/// live on a node of its own. The weights never leave it; the slopes and the gradient slice of a climb of the inner
/// search stay in it from the climb's opening (its slice of the start) to the reading of its outcome, and in between
/// a driver (<see cref="BlockClimb"/>) passes it only vectors of layer width and scalars (step sizes, thresholds,
/// flags, counts, a handful of flip candidates). Each method is one request and, where it returns something, its
/// reply: an actor hosting a block needs one message type per method, and may take the methods returning nothing
/// without replying, since messages from one sender arrive in order.
/// </summary>
/// <remarks>
/// The state of several climbs may be open at once, keyed by an integer chosen by the driver; each climb holds a
/// current point (slopes and the gradient there) and a trial point. Calls for different climbs may run concurrently;
/// calls for one climb come in order.
/// </remarks>
public interface ILayerBlock
{
    // Limitation: the calls are synchronous, so a block on another node makes its caller wait for each reply (one
    // hop per block and product, J x and Jᵀ x one after the other although they are independent); the driver needs
    // a thread of its own, and overlapping the two passes would take an asynchronous pipeline.

    /// <summary>Where the block sits and what it holds.</summary>
    BlockShape Shape { get; }

    /// <summary>
    /// Opens a climb in the box [<paramref name="lower"/>, <paramref name="upper"/>] whose current and trial point are
    /// <paramref name="slopes"/> (the block's slice), with <paramref name="gradient"/> there (empty: zero).
    /// </summary>
    void Open(int climb, double lower, double upper, ReadOnlySpan<double> slopes, ReadOnlySpan<double> gradient);

    /// <summary>Forgets a climb.</summary>
    void Close(int climb);

    /// <summary>
    /// result = D_{f+m} A_{f+m} ⋯ D_{f+1} A_{f+1} x at the trial slopes; keeps the pre-activations.
    /// </summary>
    void Forward(int climb, ReadOnlySpan<double> x, Span<double> result);

    /// <summary>
    /// result = A_{f+1}ᵀ D_{f+1} ⋯ A_{f+m}ᵀ D_{f+m} y at the trial slopes; keeps the co-states.
    /// </summary>
    void Backward(int climb, ReadOnlySpan<double> y, Span<double> result);

    /// <summary>
    /// The trial point's gradient slice becomes scale · (y_j)_i (z_j)_i from the last forward and backward passes
    /// (null: zero).
    /// </summary>
    void KeepGradient(int climb, double? scale);

    /// <summary>The trial point, with its gradient, becomes the current point.</summary>
    void Accept(int climb);

    /// <summary>Trial = clip(current + step · gradient) to the box; true when some slope moved.</summary>
    bool ProposeStep(int climb, double step);

    /// <summary>Trial = current with every interior slope moved to the bound its gradient favours.</summary>
    void ProposeVertex(int climb);

    /// <summary>Trial = current, with the slope at flat index <paramref name="slope"/> flipped if it is here.</summary>
    void ProposeFlip(int climb, int slope);

    /// <summary>True when every current slope is at a bound.</summary>
    bool IsVertex(int climb);

    /// <summary>How many current gradient entries satisfy 0 &lt; |g_i| ≤ <paramref name="atMost"/>.</summary>
    int CountGradient(int climb, double atMost);

    /// <summary>
    /// The block's <paramref name="limit"/> most promising single flips among slopes at a bound, most promising first.
    /// With the top eigenvector (<paramref name="vector"/>) and eigenvalue of a one-layer flow the promise is the
    /// Rayleigh–Ritz value after the flip; with an empty vector it is the first-order gain.
    /// </summary>
    FlipCandidate[] FlipCandidates(int climb, int limit, double value, ReadOnlySpan<double> vector);

    /// <summary>Copies the current slopes and gradient (the block's slices) out.</summary>
    void Read(int climb, Span<double> slopes, Span<double> gradient);
}
