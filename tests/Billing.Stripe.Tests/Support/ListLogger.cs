using Microsoft.Extensions.Logging;

namespace Billing.Stripe.Tests.Support;

/// <summary>Keeps every formatted log line (and exception text) for assertions.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Lines.Add($"{logLevel}: {formatter(state, exception)} {exception}");
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            Lines.AddRange(values.Select(v => $"  {v.Key}={v.Value}"));
        }
    }
}
