using Billing.TestSupport;

namespace Billing.FunctionApp.Tests.Publishing;

/// <summary>
/// Publishes the function app once (as deployed, except that ReadyToRun compilation is skipped: it takes minutes on a
/// busy 2-core machine and changes no file the tests read) into a temporary folder, isolated from the test build's output.
/// </summary>
public sealed class PublishedAppFixture : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("billing-publish-").FullName;

    public string AppRoot => Path.Combine(_work, "app");

    public async Task InitializeAsync()
    {
        var publish = ManagedProcess.Start(
            "dotnet-publish",
            "dotnet",
            ["publish", Path.Combine(RepoPaths.RepoRoot, "src", "Billing.FunctionApp"), "-c", "Release", "-o", AppRoot, "--artifacts-path", Path.Combine(_work, "artifacts"), "-p:PublishReadyToRun=false", "-nologo"]);
        await using (publish)
        {
            var deadline = DateTime.UtcNow.AddMinutes(8);
            while (!publish.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }

            if (!publish.HasExited || !File.Exists(Path.Combine(AppRoot, "functions.metadata")))
            {
                throw new InvalidOperationException("dotnet publish failed:\n" + publish.Output);
            }
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }
}
