using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Foundation;

/// <summary>Starting the function app under the local host on a port that was free a moment ago.</summary>
public sealed class FunctionAppStartTests
{
    [Fact]
    public async Task A_host_whose_port_another_host_took_meanwhile_is_not_taken_for_running()
    {
        // Another test's host listens on the port first and answers the status probe, while this one, still starting,
        // has yet to fail to bind it: this test's requests must not go to that other app.
        await using var other = new CannedHttpServer(() => new CannedAnswer("200 OK", "application/json", """{"state":"Running"}"""));

        var error = await Assert.ThrowsAsync<PortTakenException>(async () =>
        {
            await using var app = await FunctionAppProcess.StartAsync(other.Port, FunctionAppSettings.ForEmulators(await LocalEmulators.GetAsync()));
        });

        Assert.Contains("already in use", error.Message, StringComparison.Ordinal);
    }
}
