using System.Collections.Concurrent;
using Billing.FunctionsHost.Rpc;

namespace Billing.FunctionsHost.Worker;

/// <summary>Writes the worker's RpcLog entries through the host's logging, keeping the worker's category.</summary>
internal sealed class WorkerLogForwarder(ILoggerFactory loggerFactory)
{
    private readonly ConcurrentDictionary<string, ILogger> loggers = new(StringComparer.Ordinal);

    public void Forward(RpcLog log)
    {
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        var category = string.IsNullOrEmpty(log.Category) ? "Worker" : log.Category;
        var logger = loggers.GetOrAdd(category, loggerFactory.CreateLogger);
        if (level == LogLevel.None || !logger.IsEnabled(level))
        {
            return;
        }

        var text = log.Exception is { } e && !string.IsNullOrEmpty(e.Message)
            ? $"{log.Message} ({FirstLine(string.IsNullOrEmpty(e.Type) ? e.Message : $"{e.Type}: {e.Message}")})"
            : log.Message;
#pragma warning disable CA1848, CA2254 // Worker messages are already formatted text; the category is the worker's.
        logger.Log(level, "{WorkerMessage}", text);
#pragma warning restore CA1848, CA2254
    }

    /// <summary>Worker exception messages carry the stack trace; the console gets the first line.</summary>
    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd('\r');
}
