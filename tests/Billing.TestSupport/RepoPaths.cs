namespace Billing.TestSupport;

/// <summary>Where things are, seen from a test run: the repository root and the optional ../shared folder.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepoRoot => Root.Value;

    /// <summary>Stripe's official fixtures and spec, beside the clone (CI) or named by BILLING_SHARED_DIR; null when absent.</summary>
    public static string? SharedStripeDir
    {
        get
        {
            var shared = Environment.GetEnvironmentVariable("BILLING_SHARED_DIR")
                         ?? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
            var stripe = Path.Combine(shared, "stripe");
            return Directory.Exists(stripe) ? stripe : null;
        }
    }

    public static string NodeBin(string tool) => Path.Combine(RepoRoot, "node_modules", ".bin", tool);

    /// <summary>The build output folder of a project in this repository (same configuration as the running tests).</summary>
    public static string ProjectOutput(string relativeProjectDir, string assemblyName)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release"
            : "Debug";
        var dll = Path.Combine(RepoRoot, relativeProjectDir, "bin", configuration, "net10.0", assemblyName + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build output not found: {dll}. Build the solution first (dotnet build Billing.sln).", dll);
        }

        return dll;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Billing.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Billing.sln not found above " + AppContext.BaseDirectory);
    }
}
