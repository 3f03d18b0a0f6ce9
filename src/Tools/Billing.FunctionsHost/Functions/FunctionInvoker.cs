using System.Diagnostics;
using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Queues;
using Billing.FunctionsHost.Rpc;
using Billing.FunctionsHost.Worker;
using Azure;

namespace Billing.FunctionsHost.Functions;

/// <summary>
/// Sends one InvocationRequest, waits for the response (bounded by host.json functionTimeout), and on success writes
/// the function's queue outputs. Past the timeout, as the real host does, the invocation fails, the worker is sent
/// InvocationCancel, and a function still running <see cref="TimeoutGrace"/> later has its worker restarted: every
/// invocation on that worker fails with it (WebJobs' FunctionExecutor and the script host's timeout handler). A cancelled
/// invocation (host stop, client gone) is sent InvocationCancel and still ends with the worker's response.
/// </summary>
internal sealed partial class FunctionInvoker(WorkerSupervisor supervisor, QueueOutputWriter outputs, HostJsonOptions hostJson, TimeProvider time, ILoggerFactory loggerFactory)
{
    /// <summary>How long a timed-out function may take to stop once cancelled (the real host's 2 s).</summary>
    public static readonly TimeSpan TimeoutGrace = TimeSpan.FromSeconds(2);

    private const string NoWorker = "Did not find any initialized language workers (the worker is restarting).";
    private readonly ILogger logger = loggerFactory.CreateLogger("Host.Function");

    public TimeSpan? Timeout => hostJson.FunctionTimeout;

    /// <summary>Invokes on the worker that is ready or, while one restarts, on the new one (<see cref="WorkerForAsync"/>).</summary>
    public async Task<InvocationOutcome> InvokeAsync(FunctionDefinition function, InvocationInput input, CancellationToken cancellationToken) =>
        await WorkerForAsync(function, cancellationToken).ConfigureAwait(false) is { } session
            ? await InvokeAsync(session, function, Guid.NewGuid().ToString(), input, cancellationToken).ConfigureAwait(false)
            : new InvocationOutcome(InvocationStatus.WorkerUnavailable, NoWorker);

    /// <summary>
    /// The worker to invoke on: the ready one or, while one restarts, the new one once ready, as the real host waits
    /// (<c>WorkerFunctionInvoker.InvokeCore</c> while its dispatcher is not initialized). Null, logged as the
    /// invocation's failure, when none is ready within <see cref="WorkerSupervisor.ReadyWait"/>; cancellation throws.
    /// </summary>
    public async Task<WorkerSession?> WorkerForAsync(FunctionDefinition function, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (await supervisor.WaitForWorkerAsync(cancellationToken).ConfigureAwait(false) is { } session)
        {
            return session;
        }

        LogFailed(logger, function.Name, InvocationStatus.WorkerUnavailable, Guid.NewGuid().ToString(), (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, NoWorker);
        return null;
    }

    public async Task<InvocationOutcome> InvokeAsync(WorkerSession session, FunctionDefinition function, string invocationId, InvocationInput input, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        LogExecuting(logger, function.Name, input.Reason, invocationId);
        var outcome = await RunAsync(session, function, invocationId, input, cancellationToken).ConfigureAwait(false);
        var elapsed = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (outcome.Succeeded)
        {
            LogExecuted(logger, function.Name, invocationId, elapsed);
        }
        else
        {
            LogFailed(logger, function.Name, outcome.Status, invocationId, elapsed, outcome.Error ?? string.Empty);
        }

        return outcome;
    }

    private async Task<InvocationOutcome> RunAsync(WorkerSession session, FunctionDefinition function, string invocationId, InvocationInput input, CancellationToken cancellationToken)
    {
        var request = new InvocationRequest { InvocationId = invocationId, TraceContext = new RpcTraceContext() };
        request.InputData.Add(input.Inputs);
        foreach (var (name, value) in input.TriggerMetadata)
        {
            request.TriggerMetadata[name] = value;
        }
        var key = WorkerChannel.InvocationKey(invocationId);
        InvocationResponse response;
        Task<StreamingMessage>? reply = null;
        try
        {
            request.FunctionId = session.FunctionId(function.Name);
            reply = session.Channel.RequestAsync(key, new StreamingMessage { InvocationRequest = request }, null, CancellationToken.None);

            // As the real host does, cancellation (host stop, client gone) only tells the worker (InvocationCancel):
            // the invocation's result is still the worker's response, bounded by functionTimeout.
            using (cancellationToken.Register(() => TryCancel(session, invocationId)))
            {
                response = (hostJson.FunctionTimeout is { } limit
                    ? await reply.WaitAsync(limit, time, CancellationToken.None).ConfigureAwait(false)
                    : await reply.ConfigureAwait(false)).InvocationResponse;
            }
        }
        catch (TimeoutException)
        {
            TryCancel(session, invocationId);
            await StopIfStillRunningAsync(session, function, invocationId, reply!).ConfigureAwait(false);
            return new InvocationOutcome(InvocationStatus.TimedOut, $"Timeout value of {hostJson.FunctionTimeout} was exceeded by function '{function.Name}'.");
        }
        catch (WorkerUnavailableException e)
        {
            return new InvocationOutcome(InvocationStatus.WorkerUnavailable, e.Message);
        }

        if (response.Result?.Status != StatusResult.Types.Status.Success)
        {
            var error = response.Result?.Exception is { } exception
                ? $"{exception.Type}: {exception.Message}"
                : response.Result?.Result ?? "The function failed.";
            return new InvocationOutcome(InvocationStatus.Failed, error);
        }

        try
        {
            // The function succeeded: its outputs are written even while the host stops.
            await outputs.WriteAsync(function, response, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            return new InvocationOutcome(InvocationStatus.Failed, $"Writing an output binding failed: {e.ErrorCode ?? e.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        return InvocationOutcome.Success;
    }

    /// <summary>Gives a timed-out function <see cref="TimeoutGrace"/> to stop; then restarts its worker (the supervisor starts a new one).</summary>
    private async Task StopIfStillRunningAsync(WorkerSession session, FunctionDefinition function, string invocationId, Task<StreamingMessage> reply)
    {
        try
        {
            await reply.WaitAsync(TimeoutGrace, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogRestartingAfterTimeout(logger, function.Name, invocationId, session.Process.Id);
            session.Process.Kill();
        }
        catch (Exception e) when (e is WorkerUnavailableException or OperationCanceledException)
        {
            // It ended one way or another.
        }
    }

    private static void TryCancel(WorkerSession session, string invocationId)
    {
        try
        {
            session.Channel.Send(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = invocationId } });
        }
        catch (WorkerUnavailableException)
        {
            // Nothing left to cancel.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "'Functions.{Function}' (Id={InvocationId}) is still running after its timeout and the grace period: restarting worker process {Pid}, as the Functions host does")]
    private static partial void LogRestartingAfterTimeout(ILogger logger, string function, string invocationId, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Executing 'Functions.{Function}' (Reason='{Reason}', Id={InvocationId})")]
    private static partial void LogExecuting(ILogger logger, string function, string reason, string invocationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Executed 'Functions.{Function}' (Succeeded, Id={InvocationId}, Duration={DurationMs}ms)")]
    private static partial void LogExecuted(ILogger logger, string function, string invocationId, long durationMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Executed 'Functions.{Function}' ({Status}, Id={InvocationId}, Duration={DurationMs}ms): {Error}")]
    private static partial void LogFailed(ILogger logger, string function, InvocationStatus status, string invocationId, long durationMs, string error);
}
