namespace Billing.EndToEnd.Tests.Support;

/// <summary>Polls until a condition holds (the app works asynchronously: webhook -> queue -> processor).</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(45);

    public static async Task<T> GetAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}; last value: {value}");
            }

            await Task.Delay(150);
        }
    }

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        GetAsync(condition, ok => ok, what, timeout);

    /// <summary>
    /// Waits until <paramref name="instant"/> plus <paramref name="margin"/> has passed on the wall clock; at once when it
    /// has (a loaded machine can reach this after a short period's end: <c>Task.Delay</c> throws on a negative wait).
    /// </summary>
    public static Task PastAsync(DateTimeOffset instant, TimeSpan margin)
    {
        var wait = instant + margin - DateTimeOffset.UtcNow;
        return wait > TimeSpan.Zero ? Task.Delay(wait) : Task.CompletedTask;
    }
}
