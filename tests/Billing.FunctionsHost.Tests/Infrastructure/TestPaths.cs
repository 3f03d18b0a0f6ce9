namespace Billing.FunctionsHost.Tests.Infrastructure;

/// <summary>Build outputs of the host and the fixture app, in the same configuration as this test assembly.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string HostDll => Path.Combine(RepositoryRoot, "src", "Tools", "Billing.FunctionsHost", "bin", Configuration, "net10.0", "Billing.FunctionsHost.dll");

    public static string FixtureApp => Path.Combine(RepositoryRoot, "tests", "Billing.FunctionsHost.FixtureApp", "bin", Configuration, "net10.0");

    public static string NewTempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "functions-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A copy of the fixture app output, for tests that change its host.json.</summary>
    public static string CopyOfFixtureApp()
    {
        var target = NewTempDirectory();
        foreach (var file in Directory.EnumerateFiles(FixtureApp, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(FixtureApp, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Billing.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Billing.sln not found above the test output directory.");
    }
}
