using Billing.TestSupport;

namespace Billing.Cosmos.Tests.Client;

/// <summary>Starting the local Cosmos server for the tests (LocalEmulators) on a port that was free a moment ago.</summary>
public sealed class LocalServerStartTests
{
    [Fact]
    public async Task A_server_whose_port_another_process_took_meanwhile_is_not_taken_for_listening_there()
    {
        // Another process listens on the port first: the server, still loading, answers nothing yet and then exits on
        // EADDRINUSE, while the other process answers every connection. The tests must not be pointed at that process.
        using var other = FreePort.Occupied();
        var port = other.Port;
        await using var server = ManagedProcess.StartTiedToThisProcess(
            "cosmosdb-server", "node", [Path.Combine(RepoPaths.RepoRoot, "scripts", "local-cosmos", "server.js"), "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        var error = await Assert.ThrowsAsync<PortTakenException>(() => FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), server));

        Assert.Contains("EADDRINUSE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_whose_last_words_arrive_after_its_exit_is_still_known_to_have_lost_its_port()
    {
        // A CI run saw the server's exit before its EADDRINUSE line had been read (the reading threads were busy): the
        // start was not retried on another port. Here a process of the server's own leaves last and writes late.
        using var other = FreePort.Occupied();
        var port = other.Port;
        await using var server = ManagedProcess.Start("late-writer", "bash", ["-c", "(sleep 0.5; echo 'Error: listen EADDRINUSE: address already in use') & exit 1"]);

        var error = await Assert.ThrowsAsync<PortTakenException>(() => FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), server));

        Assert.Contains("EADDRINUSE", error.Message, StringComparison.Ordinal);
    }
}
