namespace Billing.FunctionsHost.Tests.Infrastructure;

/// <summary>Polls a condition until a deadline: no fixed sleeps.</summary>
internal static class Wait
{
    public static async Task<T> ForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0}s waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        ForAsync<object>(() => Task.FromResult(condition() ? new object() : null), timeout, what);
}
