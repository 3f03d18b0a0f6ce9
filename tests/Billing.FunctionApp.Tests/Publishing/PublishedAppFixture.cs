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

    public Task InitializeAsync() =>
        FunctionAppProcess.PublishAsync(AppRoot, Path.Combine(_work, "artifacts"), TimeSpan.FromMinutes(8), "-p:PublishReadyToRun=false");

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }
}
