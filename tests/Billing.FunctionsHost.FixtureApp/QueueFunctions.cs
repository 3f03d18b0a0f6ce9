using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Billing.FunctionsHost.FixtureApp;

internal sealed partial class QueueFunctions(ILogger<QueueFunctions> logger)
{
    /// <summary>
    /// Records what it got on the output queue; throws for messages starting with "fail"; "slow &lt;ms&gt;" takes that long
    /// and ignores cancellation (a function that finishes its work while the host stops); "cancellable &lt;ms&gt;" takes that
    /// long unless cancelled.
    /// </summary>
    [Function("Consume")]
    [QueueOutput("%FIXTURE_QUEUE%-out")]
    public async Task<string> Consume([QueueTrigger("%FIXTURE_QUEUE%")] string message, long dequeueCount, string id, DateTimeOffset insertionTime, DateTimeOffset expirationTime, DateTimeOffset nextVisibleTime, string popReceipt, CancellationToken cancellationToken)
    {
        LogReceived(logger, id, dequeueCount);
        if (message.StartsWith("fail", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Fixture failure on dequeue {dequeueCount}.");
        }

        if (message.StartsWith("slow ", StringComparison.Ordinal))
        {
            await Task.Delay(int.Parse(message["slow ".Length..], System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
        }

        if (message.StartsWith("cancellable ", StringComparison.Ordinal))
        {
            await Task.Delay(int.Parse(message["cancellable ".Length..], System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        }

        return JsonSerializer.Serialize(new { text = message, dequeueCount, id, insertionTime, expirationTime, nextVisibleTime, popReceipt });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fixture queue message {Id} dequeue {DequeueCount}")]
    private static partial void LogReceived(ILogger logger, string id, long dequeueCount);
}
