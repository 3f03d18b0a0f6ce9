using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Rpc;
using Billing.FunctionsHost.Tests.Infrastructure;
using Billing.FunctionsHost.Worker;
using Billing.TestSupport;

namespace Billing.FunctionsHost.Tests.Unit;

/// <summary>The invoker with the worker played by the test (<see cref="ScriptedWorker"/>).</summary>
public sealed class FunctionInvokerTests : IAsyncLifetime
{
    private static readonly TimeSpan FunctionTimeout = TimeSpan.FromSeconds(10);
    private readonly ClockWithTimers time = new();
    private readonly ScriptedWorker worker;

    public FunctionInvokerTests()
    {
        // Azurite with a key it does not know: every request is refused (403).
        var refused = Storage.ConnectionString.Replace(LocalEmulators.AzuriteAccountKey, Convert.ToBase64String(new byte[64]), StringComparison.Ordinal);
        var settings = new AppSettings(new Dictionary<string, string> { ["RefusedStorage"] = refused }, _ => null);
        var function = ScriptedWorker.WithQueueOutput(ScriptedWorker.QueueFunction("in"), "out", "RefusedStorage");
        worker = new ScriptedWorker(time, function, HostJsonOptions.Parse($$"""{ "functionTimeout": "{{FunctionTimeout}}" }""", 1), settings);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => worker.DisposeAsync().AsTask();

    [Fact]
    public async Task A_function_whose_queue_output_cannot_be_written_fails()
    {
        // The real host binds outputs after the worker's response (WorkerFunctionInvoker.BindOutputsAsync); a binding that
        // throws fails the invocation, so its queue message is retried and, in the end, poisoned.
        var session = await worker.StartAsync();
        var invoking = InvokeAsync(session);
        var invocation = (await worker.NextFromHostAsync()).InvocationRequest;

        worker.Complete(invocation, new TypedData { String = "to the refused queue" });
        var outcome = await invoking;

        Assert.Equal(InvocationStatus.Failed, outcome.Status);
        Assert.StartsWith("Writing an output binding failed: ", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timed_out_function_that_stops_within_the_grace_period_fails_and_keeps_its_worker()
    {
        // WebJobs' FunctionExecutor: past functionTimeout the invocation fails and is cancelled; the function then has a
        // 2 s grace period to stop before the script host restarts its worker.
        var session = await worker.StartAsync();
        time.ForgetTimers(); // the handshake's
        var invoking = InvokeAsync(session);
        var invocation = (await worker.NextFromHostAsync()).InvocationRequest;

        await time.AdvanceThroughAsync(FunctionTimeout);
        Assert.Equal(invocation.InvocationId, (await worker.NextFromHostAsync()).InvocationCancel?.InvocationId);
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        worker.Complete(invocation); // it stopped when cancelled

        Assert.Equal(InvocationStatus.TimedOut, (await invoking).Status);
        Assert.DoesNotContain(worker.Log.GetSnapshot(), r => r.Message.Contains("still running after its timeout", StringComparison.Ordinal));
        Assert.Same(session, worker.Supervisor.Current);
    }

    [Fact]
    public async Task A_timed_out_function_still_running_after_the_grace_period_has_its_worker_killed()
    {
        var session = await worker.StartAsync();
        time.ForgetTimers(); // the handshake's
        var invoking = InvokeAsync(session);
        await worker.NextFromHostAsync(); // the InvocationRequest, never answered

        await time.AdvanceThroughAsync(FunctionTimeout);
        await time.AdvanceThroughAsync(TimeSpan.FromSeconds(2));

        Assert.Equal(InvocationStatus.TimedOut, (await invoking).Status);
        Assert.Equal(137, await session.Process.Exited.WaitAsync(TimeSpan.FromSeconds(30))); // SIGKILL
    }

    private Task<InvocationOutcome> InvokeAsync(WorkerSession session) =>
        worker.Invoker.InvokeAsync(session.Functions[0], new InvocationInput([], new Dictionary<string, TypedData>(), "test"), CancellationToken.None);
}
