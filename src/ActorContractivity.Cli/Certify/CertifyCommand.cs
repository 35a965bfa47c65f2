using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ActorContractivity.Cli.Cluster;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cli.Reporting;
using ActorContractivity.Cluster.Client;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Norms;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cli.Certify;

/// <summary><c>actorcontractivity certify MODEL …</c>: the largest contractive slope interval of a model.</summary>
public static class CertifyCommand
{
    /// <summary>The largest node budget taken: far beyond any tree that finishes, and exact in a double.</summary>
    public const long MaxBudgetNodes = 1_000_000_000_000;

    /// <summary>Builds the command; its action writes the summary to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Argument<string>("MODEL")
        {
            Description = "A weight matrix (.npy or .csv) of a one-layer model, or a JSON manifest of samples and "
                + "layers.",
        };
        var c = CommandLineValues.Number("--c", "The contraction bound c: μ(D·J) ≤ c (0: non-expansive).", 0.0);
        var tune = new Option<string>("--tune")
        {
            Description = "Which end of [ℓ, u] to search.",
            DefaultValueFactory = _ => "lower",
        };
        tune.AcceptOnlyFromAmong("lower", "upper");
        var fixedEnd = CommandLineValues.Number(
            "--fixed", "The fixed end: u when tuning ℓ, ℓ when tuning u.", 1.0);
        var limit = CommandLineValues.OptionalNumber(
            "--limit",
            "The far end of the search range of the tuned end (default 0 for ℓ, 100·max(fixed, 1) for u).");
        var norm = new Option<string>("--norm")
        {
            Description = "The logarithmic norm.",
            DefaultValueFactory = _ => "2",
        };
        norm.AcceptOnlyFromAmong("2", "1", "inf");
        var discrete = CommandLineValues.OptionalNumber(
            "--discrete", "Certify the explicit Euler step u ← u + Hσ(…): ‖I + H·D·J‖ ≤ e^{Hc}.");
        var starts = new Option<int>("--starts")
        {
            Description = "Starts of the gradient search per sample.",
            DefaultValueFactory = _ => 8,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the random starts.",
            DefaultValueFactory = _ => 0,
        };
        var tolerance = CommandLineValues.Number("--tol", "Absolute tolerance on the tuned end.", 1e-8);
        var json = CommandLineValues.Path("--json", "Write the full report as JSON to this file.");
        var certify = new Option<string>("--certify")
        {
            Description = "How to prove the answer: auto (enumeration where small, else the matrix cube bound, "
                + "then branch and bound within the budget to narrow its bracket), exact (the same without a time "
                + "limit unless --budget is given), bound (the matrix cube bound only), or off (witness only).",
            DefaultValueFactory = _ => "auto",
        };
        certify.AcceptOnlyFromAmong("auto", "exact", "bound", "off");
        var budget = CommandLineValues.OptionalNumber(
            "--budget",
            "Seconds of certification: the bound's bisection, then branch and bound (default 60 for auto, unlimited "
                + "otherwise or with --budget-nodes alone); when they run out the answer is a bracket. The gradient "
                + "search is not counted.");
        var budgetNodes = CommandLineValues.OptionalWhole(
            "--budget-nodes",
            "Branch-and-bound nodes of certification, over all its decisions and samples (default: no limit). Unlike "
                + "seconds, nodes give the same answer on every machine; given alone, it lifts auto's 60 s.",
            0, MaxBudgetNodes);

        var cluster = new Option<string?>("--cluster")
        {
            Description = "Submit the job to the running cluster whose node listens at HOST:PORT and follow its "
                + "progress (default: the same job actors on a node inside this process).",
        };

        var shardLayers = new Option<int>("--shard-layers")
        {
            Description = "Hold the layers of the samples in layer shards spread over up to K worker nodes of the "
                + "cluster (placed by size; a sample held by one node is solved there, one split over nodes is "
                + "solved by pipelining products through its shards; same answer). 0 (default): no shards.",
            DefaultValueFactory = _ => 0,
        };

        var command = new Command("certify", "Find the largest slope interval on which the model provably contracts.");
        command.Arguments.Add(model);
        Option[] options =
            [c, tune, fixedEnd, limit, norm, discrete, starts, seed, certify, budget, budgetNodes, tolerance, json,
                cluster, shardLayers];
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            var request = new CertifyRequest(
                parse.GetValue(model)!,
                new IntervalQuestion(
                    C: parse.GetValue(c),
                    Tune: parse.GetValue(tune) == "upper" ? TunedEnd.Upper : TunedEnd.Lower,
                    Fixed: parse.GetValue(fixedEnd),
                    Limit: parse.GetValue(limit),
                    Norm: parse.GetValue(norm) switch
                    {
                        "1" => LogNormKind.One,
                        "inf" => LogNormKind.Infinity,
                        _ => LogNormKind.Two,
                    },
                    DiscreteStep: parse.GetValue(discrete),
                    Tolerance: parse.GetValue(tolerance)),
                parse.GetValue(starts),
                parse.GetValue(seed),
                parse.GetValue(json),
                new CertifyOptions(
                    parse.GetValue(certify) switch
                    {
                        "exact" => CertifyMode.Exact,
                        "bound" => CertifyMode.Bound,
                        "off" => CertifyMode.Off,
                        _ => CertifyMode.Auto,
                    },
                    parse.GetValue(budget),
                    parse.GetValue(budgetNodes)),
                parse.GetValue(cluster),
                parse.GetValue(shardLayers));
            return Run(request, output, error);
        });
        return command;
    }

    /// <summary>Validates, loads, solves, reports. Returns the exit code.</summary>
    public static int Run(CertifyRequest request, TextWriter output, TextWriter error)
    {
        try
        {
            Validate(request);
            var clock = Stopwatch.StartNew();
            var loaded = ModelLoader.Load(request.ModelPath);
            if (request.JsonPath is { } reportPath)
            {
                RefuseInput(reportPath, loaded.Files);
            }

            var scale = ProblemScale.For(loaded.Model, request.Question);
            var job = new JobSettings(scale.Question, new InnerOptions(Starts: request.Starts, Seed: request.Seed),
                request.Certify, request.ShardLayers > 0 ? new ShardOptions(request.ShardLayers) : null);
            var display = ProgressDisplay.For(error, plainWhenRedirected: request.Cluster is not null);
            IntervalAnswer answer;
            switch (ClusterRun.Run(scale.Model, job, request.Cluster, display))
            {
                case JobRejected rejected:
                    error.WriteLine($"{request.ModelPath}: {rejected.Reason.ReplaceLineEndings(" ")}");
                    return CliApplication.BadInput;
                case JobFailed { Reason: CancelJob.Reason } cancelled:
                    error.WriteLine($"certify: job {cancelled.JobId} was {CancelJob.Reason}; no report was written");
                    return CliApplication.Interrupted;
                case JobFailed failed:
                    error.WriteLine($"internal error: {failed.Reason.ReplaceLineEndings(" ")}");
                    return CliApplication.InternalError;
                case JobCompleted completed:
                    answer = scale.Restore(completed.Answer);
                    break;
                case var other:
                    throw new InvalidOperationException($"unexpected job outcome {other.GetType().Name}");
            }

            clock.Stop();

            var report = CertifyReport.From(request, loaded, answer, clock.Elapsed);
            if (request.JsonPath is { } path)
            {
                ReportWriter.WriteAtomically(path, report);
            }

            Summary.Write(output, report, answer);
            return answer.Feasible ? CliApplication.Found : CliApplication.NoInterval;
        }
        catch (InputException e)
        {
            error.WriteLine(e.Message);
            return CliApplication.BadInput;
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"{request.ModelPath}: {e.Message.ReplaceLineEndings(" ")}");
            return CliApplication.BadInput;
        }
        catch (OperationCanceledException e)
        {
            // A signal ends the process on its own (Interruption); a node that stops otherwise is a fault.
            if (Interruption.HappensWithin(TimeSpan.FromSeconds(2)))
            {
                return CliApplication.Interrupted;
            }

            error.WriteLine($"internal error: {e.Message}");
            return CliApplication.InternalError;
        }
        catch (NodeLostException) when (request.Cluster is not null
            && !Interruption.HappensWithin(TimeSpan.FromSeconds(2)))
        {
            error.WriteLine($"--cluster: the node at '{request.Cluster}' stopped or was lost; the job may go on in the "
                + "cluster (status --cluster ANOTHER-NODE shows it); no report was written");
            return CliApplication.BadInput;
        }
        catch (TimeoutException)
        {
            error.WriteLine($"--cluster: no cluster node at '{request.Cluster}' accepted the job within "
                + $"{ClusterRun.AcceptTimeout.TotalSeconds:0} s");
            return CliApplication.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"--json: cannot write '{request.JsonPath}': {e.Message.ReplaceLineEndings(" ")}");
            return CliApplication.BadInput;
        }
    }

    private static void Validate(CertifyRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.ModelPath))
        {
            throw new InputException("MODEL: the path is empty; give a .npy, .csv or .json model file");
        }

        if (request.Question.Validate() is { } problem)
        {
            throw new InputException($"{problem.Option}: {problem.Problem}");
        }

        if (request.Starts < 1 || request.Starts > 10_000)
        {
            throw new InputException(
                $"--starts: must lie in [1, 10000], got {request.Starts.ToString(CultureInfo.InvariantCulture)}");
        }

        if (request.Certify.BudgetSeconds is { } seconds && !(seconds >= 0 && seconds <= 1e7))
        {
            throw new InputException(
                "--budget: must be a number of seconds in [0, 1e7], got "
                + seconds.ToString(CultureInfo.InvariantCulture));
        }

        if (request.JsonPath is { } path)
        {
            ValidateReportPath(path, request.ModelPath);
        }

        if (request.Cluster is { } address)
        {
            HostPort.Parse("--cluster", address);
        }

        if (request.ShardLayers is < 0 or > 1024)
        {
            throw new InputException("--shard-layers: must lie in [0, 1024] (0: no shards), got "
                + request.ShardLayers.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Refuses a report path that names one of the model's own files (the model first), under whatever name.
    /// </summary>
    private static void RefuseInput(string path, IReadOnlyList<string> inputs)
    {
        var report = InputFile.RealPath(path);
        var index = inputs.ToList().FindIndex(input => InputFile.RealPath(input) == report);
        if (index >= 0)
        {
            var what = index == 0 ? "the model file itself" : $"a layer file of the model ('{inputs[index]}')";
            throw new InputException($"--json: '{path}' is {what}; the report would overwrite it");
        }
    }

    /// <summary>
    /// Refuses report paths that cannot or must not be replaced by a regular file, and checks that the directory
    /// takes a file before any computing starts.
    /// </summary>
    private static void ValidateReportPath(string path, string modelPath)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InputException("--json: the path is empty");
        }

        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (directory is not null && File.Exists(directory))
        {
            throw new InputException($"--json: '{directory}' in '{path}' is a file, not a directory");
        }

        if (directory is null || !Directory.Exists(directory))
        {
            throw new InputException($"--json: the directory of '{path}' does not exist");
        }

        if (Directory.Exists(full))
        {
            throw new InputException($"--json: '{path}' is a directory, not a file");
        }

        if (new FileInfo(full).LinkTarget is not null)
        {
            throw new InputException($"--json: '{path}' is a symbolic link; give the path of a regular file");
        }

        if (full.StartsWith("/dev/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal)
            || full.StartsWith("/sys/", StringComparison.Ordinal))
        {
            throw new InputException($"--json: '{path}' is not a regular file location");
        }

        RefuseInput(path, [modelPath]);

        var probe = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.probe");
        try
        {
            using (File.Create(probe))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"--json: cannot write in the directory of '{path}': "
                + e.Message.ReplaceLineEndings(" "));
        }
        finally
        {
            File.Delete(probe);
        }
    }
}

/// <summary>Everything the certify command was asked.</summary>
public sealed record CertifyRequest(
    string ModelPath,
    IntervalQuestion Question,
    int Starts,
    int Seed,
    string? JsonPath,
    CertifyOptions? CertifyOptions = null,
    string? Cluster = null,
    int ShardLayers = 0)
{
    /// <summary>The certification settings (auto with its default budget unless given).</summary>
    public CertifyOptions Certify => CertifyOptions ?? new CertifyOptions();
}
