using System.Net;
using System.Text.RegularExpressions;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Browser;

/// <summary>
/// The pages' scripts name only API paths the OpenAPI document describes (the browser tests check the calls they make;
/// this checks every path written in the scripts, including those of actions no test clicks).
/// </summary>
public sealed partial class PageSourcesTests
{
    private static string AssetsDirectory => Path.Combine(RepoPaths.RepoRoot, "src", "Billing.Web", "assets");

    [Fact]
    public void Every_api_path_in_the_page_scripts_is_an_operation_of_the_openapi_document()
    {
        var paths = Directory.EnumerateFiles(AssetsDirectory, "*.js")
            .SelectMany(file => ApiPath().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetFileName(file), Path: m.Groups["path"].Value)))
            .ToList();
        Assert.NotEmpty(paths);

        // A template segment (${id}) stands for a path parameter; GET is asked only to find the path, any method of it will do.
        var unknown = paths
            .Select(p => (p.File, p.Path, Concrete: Placeholder().Replace(p.Path, "x")))
            .Where(p => OpenApiContract.Operations("/api/", "x").All(o => o.Path != p.Concrete))
            .Select(p => $"{p.File}: {p.Path}")
            .ToList();
        Assert.True(unknown.Count == 0, "API paths in the page scripts that the OpenAPI document does not describe:\n" + string.Join('\n', unknown));
    }

    [Fact]
    public void The_page_scripts_call_the_api_only_through_api_js()
    {
        var direct = Directory.EnumerateFiles(AssetsDirectory, "*.js")
            .Where(file => Path.GetFileName(file) is not ("api.js" or "session.js"))
            .Where(file => File.ReadAllText(file).Contains("fetch(", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .ToList();
        Assert.True(direct.Count == 0, "Scripts calling fetch directly instead of api.js: " + string.Join(", ", direct));
    }

    [GeneratedRegex("""['`"](?<path>/api/[^'`"?]*)""")]
    private static partial Regex ApiPath();

    [GeneratedRegex(@"\$\{[^}]+\}")]
    private static partial Regex Placeholder();
}
