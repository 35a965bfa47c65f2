using System.Text.Json;
using System.Text.RegularExpressions;

namespace ActorContractivity.Deploy.Tests;

/// <summary>deploy/Dockerfile as instructions (continuation lines joined, comments dropped).</summary>
public sealed class Dockerfile
{
    private Dockerfile(IReadOnlyList<(string Instruction, string Arguments)> lines) => Lines = lines;

    /// <summary>The instructions in order.</summary>
    public IReadOnlyList<(string Instruction, string Arguments)> Lines { get; }

    /// <summary>Reads deploy/Dockerfile.</summary>
    public static Dockerfile Load()
    {
        var lines = new List<(string, string)>();
        var pending = "";
        foreach (var raw in File.ReadAllLines(Repository.File("deploy/Dockerfile")))
        {
            var line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var whole = pending + line;
            pending = "";
            var space = whole.IndexOf(' ');
            lines.Add((whole[..space].ToUpperInvariant(), whole[(space + 1)..].Trim()));
        }

        return new Dockerfile(lines);
    }

    /// <summary>The arguments of every instruction of a kind.</summary>
    public IReadOnlyList<string> All(string instruction) =>
        Lines.Where(l => l.Instruction == instruction).Select(l => l.Arguments).ToArray();

    /// <summary>The instructions of the last stage (the image that runs).</summary>
    public IReadOnlyList<(string Instruction, string Arguments)> FinalStage =>
        Lines.Skip(Lines.Select((l, i) => (l, i)).Last(x => x.l.Instruction == "FROM").i).ToArray();

    /// <summary>An exec-form instruction (a JSON array) of the final stage.</summary>
    public string[] Exec(string instruction)
    {
        var arguments = Assert.Single(FinalStage, l => l.Instruction == instruction).Arguments;
        if (instruction == "HEALTHCHECK")
        {
            arguments = arguments[(arguments.IndexOf("CMD ", StringComparison.Ordinal) + 4)..];
        }

        return JsonSerializer.Deserialize<string[]>(arguments)!;
    }

    /// <summary>The variables the final stage sets (<c>ENV a=b c=d</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment() =>
        FinalStage.Where(l => l.Instruction == "ENV")
            .SelectMany(l => Regex.Matches(l.Arguments, @"(\S+?)=(\S+)"))
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
}
