using System.Diagnostics;
using Billing.FunctionApp.Functions;

namespace Billing.FunctionApp.Hosting;

/// <summary>
/// The one path into queue and timer functions, used both by the host-facing endpoints (<c>POST /&lt;Name&gt;</c>)
/// and by the standalone poller and scheduler, so both run the same code with the same logging.
/// </summary>
public sealed partial class FunctionInvoker(
    IEnumerable<IQueueTriggeredFunction> queueFunctions,
    IEnumerable<ITimerTriggeredFunction> timerFunctions,
    ILogger<FunctionInvoker> logger)
{
    private readonly Dictionary<string, IQueueTriggeredFunction> _queue = queueFunctions.ToDictionary(f => f.Name, StringComparer.Ordinal);
    private readonly Dictionary<string, ITimerTriggeredFunction> _timer = timerFunctions.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<string> QueueFunctionNames => _queue.Keys;

    public IReadOnlyCollection<string> TimerFunctionNames => _timer.Keys;

    public async Task InvokeQueueAsync(string functionName, QueueTrigger trigger, string invocationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var function = _queue.GetValueOrDefault(functionName) ?? throw new InvalidOperationException($"No queue function '{functionName}' is registered.");
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["FunctionName"] = functionName, ["InvocationId"] = invocationId, ["MessageId"] = trigger.MessageId });
        await RunAsync(functionName, invocationId, () => function.RunAsync(trigger, cancellationToken), trigger.DequeueCount).ConfigureAwait(false);
    }

    public async Task InvokeTimerAsync(string functionName, TimerTrigger trigger, string invocationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var function = _timer.GetValueOrDefault(functionName) ?? throw new InvalidOperationException($"No timer function '{functionName}' is registered.");
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["FunctionName"] = functionName, ["InvocationId"] = invocationId });
        await RunAsync(functionName, invocationId, () => function.RunAsync(trigger, cancellationToken), attempt: 1).ConfigureAwait(false);
    }

    private async Task RunAsync(string functionName, string invocationId, Func<Task> run, long attempt)
    {
        var started = Stopwatch.GetTimestamp();
        LogStarted(functionName, invocationId, attempt);
        try
        {
            await run().ConfigureAwait(false);
            var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LogSucceeded(functionName, invocationId, elapsedMs);
        }
        catch (Exception exception)
        {
            var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LogFailed(exception, functionName, invocationId, elapsedMs);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Executing {FunctionName} (invocation {InvocationId}, attempt {Attempt})")]
    private partial void LogStarted(string functionName, string invocationId, long attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Executed {FunctionName} (invocation {InvocationId}) in {ElapsedMs:0.0} ms")]
    private partial void LogSucceeded(string functionName, string invocationId, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Failed {FunctionName} (invocation {InvocationId}) after {ElapsedMs:0.0} ms")]
    private partial void LogFailed(Exception exception, string functionName, string invocationId, double elapsedMs);
}
