using System.Text.RegularExpressions;
using Billing.Infra.Tests.Bicep;

namespace Billing.Infra.Tests;

/// <summary>
/// scripts/test.sh runs <c>dotnet test Billing.sln</c>, which starts the solution's test projects in the order the file
/// lists them, one per core. The end-to-end project takes about as long as all the others together, so it is listed
/// first: it starts at once and the others fill the other core beside it (listed after three short projects, it started
/// ~45 s in and ran alone at the end). <c>dotnet sln add</c> appends, so a new project keeps this order.
/// </summary>
public sealed partial class SolutionOrderTests
{
    [Fact]
    public void The_end_to_end_tests_are_the_first_test_project_the_solution_lists()
    {
        var solution = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "Billing.sln"));

        var first = TestProject().Matches(solution).Select(m => m.Groups[1].Value).First();

        Assert.Equal("Billing.EndToEnd.Tests", first);
    }

    [GeneratedRegex("""^Project\("[^"]*"\) = "([^"]+\.Tests)", "[^"]+\.csproj""", RegexOptions.Multiline)]
    private static partial Regex TestProject();
}
