using ActorContractivity.Cli.Tests.Loading;

namespace ActorContractivity.Cli.Tests.EndToEnd;

/// <summary>
/// <c>certify</c> on every known-answer case in <c>fixtures/cases</c>, in-process: exit code, JSON report and summary
/// against <c>expected.json</c>.
/// </summary>
public sealed class KnownCaseCertifyTests
{
    public static TheoryData<string> Cases => KnownCase.All;

    [Fact]
    public void The_case_folder_holds_feasible_and_infeasible_cases_to_certify()
    {
        var cases = KnownCase.Names.Select(KnownCase.Load).ToArray();
        Assert.True(cases.Length >= 8, $"only {cases.Length} cases in {TestPaths.Fixtures}");
        Assert.Contains(cases, c => c.Feasible);
        Assert.Contains(cases, c => !c.Feasible);
        Assert.All(cases, c => Assert.Equal(("lower", 1.0), (c.Tune, c.Fixed)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Certify_reproduces_the_expected_answer_of_every_known_case(string name)
    {
        var known = KnownCase.Load(name);
        using var temp = new TempDirectory();
        var json = Path.Combine(temp.Path, "r.json");

        var result = Cli.Run("certify", known.ModelPath, "--c", known.CText, "--json", json);

        known.AssertRun(result, json);
        Assert.Equal(["r.json"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }
}
