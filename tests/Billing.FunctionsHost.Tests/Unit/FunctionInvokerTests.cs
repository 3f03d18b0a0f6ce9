using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Rpc;
using Billing.FunctionsHost.Tests.Infrastructure;
using Billing.TestSupport;

namespace Billing.FunctionsHost.Tests.Unit;

/// <summary>The invoker with the worker played by the test (<see cref="ScriptedWorker"/>).</summary>
public sealed class FunctionInvokerTests : IAsyncDisposable
{
    private readonly ScriptedWorker worker;

    public FunctionInvokerTests()
    {
        // Azurite with a key it does not know: every request is refused (403).
        var refused = Storage.ConnectionString.Replace(LocalEmulators.AzuriteAccountKey, Convert.ToBase64String(new byte[64]), StringComparison.Ordinal);
        var settings = new AppSettings(new Dictionary<string, string> { ["RefusedStorage"] = refused }, _ => null);
        var function = ScriptedWorker.WithQueueOutput(ScriptedWorker.QueueFunction("in"), "out", "RefusedStorage");
        worker = new ScriptedWorker(new ClockWithTimers(), function, HostJsonOptions.Parse("{}", 1), settings);
    }

    public ValueTask DisposeAsync() => worker.DisposeAsync();

    [Fact]
    public async Task A_function_whose_queue_output_cannot_be_written_fails()
    {
        // The real host binds outputs after the worker's response (WorkerFunctionInvoker.BindOutputsAsync); a binding that
        // throws fails the invocation, so its queue message is retried and, in the end, poisoned.
        var session = await worker.StartAsync();
        var invoking = worker.Invoker.InvokeAsync(session.Functions[0], new InvocationInput([], new Dictionary<string, TypedData>(), "test"), CancellationToken.None);
        var invocation = (await worker.NextFromHostAsync()).InvocationRequest;

        worker.Complete(invocation, new TypedData { String = "to the refused queue" });
        var outcome = await invoking;

        Assert.Equal(InvocationStatus.Failed, outcome.Status);
        Assert.StartsWith("Writing an output binding failed: ", outcome.Error, StringComparison.Ordinal);
    }
}
