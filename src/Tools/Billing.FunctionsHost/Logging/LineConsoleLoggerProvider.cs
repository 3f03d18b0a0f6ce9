using System.Globalization;

namespace Billing.FunctionsHost.Logging;

/// <summary>Writes every log entry as one line on stdout: <c>time level category: message</c>.</summary>
internal sealed class LineConsoleLoggerProvider(TextWriter output) : ILoggerProvider
{
    private readonly Lock gate = new();

    public ILogger CreateLogger(string categoryName) => new LineLogger(this, categoryName);

    public void Dispose()
    {
    }

    internal void Write(LogLevel level, string category, string message)
    {
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"[{DateTime.UtcNow:HH:mm:ss.fff}] {ShortName(level)} {category}: {OneLine(message)}");
        lock (gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    internal static string OneLine(string text) =>
        text.Contains('\n', StringComparison.Ordinal) ? text.ReplaceLineEndings(" | ") : text;

    private static string ShortName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    private sealed class LineLogger(LineConsoleLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (exception is not null)
            {
                message += $" ({exception.GetType().Name}: {exception.Message})";
            }

            provider.Write(logLevel, category, message);
        }
    }
}
