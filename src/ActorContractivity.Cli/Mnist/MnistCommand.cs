using System.CommandLine;
using System.Diagnostics;
using ActorContractivity.Cli.Loading;
using ActorContractivity.NeuralOde.Datasets;

namespace ActorContractivity.Cli.Mnist;

/// <summary>
/// <c>actorcontractivity mnist train|certify|stabilise|attack|all</c>: a neural ODE trained on real digits, its
/// weights certified, stabilised with the certified slope interval, and both models attacked.
/// </summary>
public static class MnistCommand
{
    /// <summary>Builds the command tree; actions write progress to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("mnist",
            "Train a neural ODE u' = σ(A u + b) on MNIST digits, certify A, stabilise it with the certified slope "
            + "interval and attack both models (results in --out).");
        command.Subcommands.Add(Train(output, error));
        command.Subcommands.Add(Certify(output, error));
        command.Subcommands.Add(Stabilise(output, error));
        command.Subcommands.Add(Attack(output, error));
        command.Subcommands.Add(All(output, error));
        return command;
    }

    private static Command Train(TextWriter output, TextWriter error)
    {
        var options = new MnistOptions();
        var command = new Command("train", "Train the baseline (σ = tanh) and save it as .npy files with a manifest "
            + "that 'certify' reads, in OUT/baseline.");
        options.AddCommon(command);
        options.AddTraining(command);
        command.SetAction(parse => Guarded(error, () =>
        {
            new MnistExperiment(output, error).Train(options.Data(parse), options.Training(parse), options.Out(parse));
            return CliApplication.Found;
        }));
        return command;
    }

    private static Command Certify(TextWriter output, TextWriter error)
    {
        var options = new MnistOptions();
        var command = new Command("certify", "Certify the A of a trained model with 'certify' for the Euler steps "
            + "it takes; exit code 1 when no slope interval exists.");
        MnistOptions.Add(command, options.Model, options.OutDirectory, options.Seed);
        options.AddCertify(command);
        command.SetAction(parse => Guarded(error, () =>
        {
            var directory = parse.GetValue(options.Model) ?? Path.Combine(options.Out(parse), MnistExperiment.Baseline);
            var experiment = new MnistExperiment(output, error);
            return experiment.Certify(directory, options.Certify(parse), parse.GetValue(options.Seed)).ExitCode;
        }));
        return command;
    }

    private static Command Stabilise(TextWriter output, TextWriter error)
    {
        var options = new MnistOptions();
        var command = new Command("stabilise", "Fine-tune OUT/baseline with the log-norm penalty until a slope "
            + "interval exists, certify it, switch to σ_ℓ(x) = ℓx + (1 − ℓ)tanh(x) with the certified ℓ and "
            + "fine-tune all but A; saves OUT/stabilised.");
        options.AddCommon(command);
        MnistOptions.Add(command, options.BatchSize, options.Shift);
        options.AddCertify(command);
        options.AddStabilise(command);
        command.SetAction(parse => Guarded(error, () => new MnistExperiment(output, error).Stabilise(
            parse.GetValue(options.DataDirectory)!, options.Out(parse), options.Stabilise(parse),
            options.Certify(parse), parse.GetValue(options.BatchSize), parse.GetValue(options.Shift),
            parse.GetValue(options.Seed))));
        return command;
    }

    private static Command Attack(TextWriter output, TextWriter error)
    {
        var options = new MnistOptions();
        var command = new Command("attack", "Evaluate OUT/baseline and OUT/stabilised: clean accuracy, FGSM, PGD, "
            + "Gaussian noise and the contraction ratio against the certified bound; writes results.md, results.json "
            + "and accuracy.png in OUT.");
        options.AddCommon(command);
        options.AddAttack(command);
        command.SetAction(parse => Guarded(error, () =>
        {
            new MnistExperiment(output, error).Attack(parse.GetValue(options.DataDirectory)!, options.Out(parse),
                options.Attack(parse), parse.GetValue(options.Seed));
            return CliApplication.Found;
        }));
        return command;
    }

    private static Command All(TextWriter output, TextWriter error)
    {
        var options = new MnistOptions();
        var command = new Command("all", "train, certify the baseline, stabilise and attack, in that order.");
        options.AddCommon(command);
        options.AddTraining(command);
        options.AddCertify(command);
        options.AddStabilise(command);
        options.AddAttack(command);
        command.SetAction(parse => Guarded(error, () =>
        {
            var experiment = new MnistExperiment(output, error);
            var data = options.Data(parse);
            var training = options.Training(parse);
            var certify = options.Certify(parse);
            var stabilise = options.Stabilise(parse);
            var attack = options.Attack(parse);
            var outDirectory = options.Out(parse);
            MnistExperiment.CheckOutput(outDirectory);
            var seconds = new Dictionary<string, double>();
            var clock = Stopwatch.StartNew();
            experiment.Train(data, training, outDirectory);
            seconds["train"] = clock.Elapsed.TotalSeconds;

            var baseline = Path.Combine(outDirectory, MnistExperiment.Baseline);
            var (code, _) = experiment.Certify(baseline, certify, data.Seed);
            seconds["certify baseline"] = clock.Elapsed.TotalSeconds - seconds.Values.Sum();
            if (code == CliApplication.BadInput)
            {
                return code;
            }

            code = experiment.Stabilise(data.Directory, outDirectory, stabilise, certify, training.BatchSize,
                training.Shift, data.Seed);
            seconds["stabilise"] = clock.Elapsed.TotalSeconds - seconds.Values.Sum();
            if (code != CliApplication.Found)
            {
                return code;
            }

            var results = experiment.Attack(data.Directory, outDirectory, attack, data.Seed, seconds);
            output.WriteLine($"done       in {results.Seconds["total"]:F0} s");
            return CliApplication.Found;
        }));
        return command;
    }

    /// <summary>Runs an action, turning bad input into one line on stderr and exit code 2.</summary>
    private static int Guarded(TextWriter error, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is InputException or DatasetException)
        {
            error.WriteLine(e.Message);
            return CliApplication.BadInput;
        }
    }
}
