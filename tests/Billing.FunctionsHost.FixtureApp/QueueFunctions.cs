using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Billing.FunctionsHost.FixtureApp;

internal sealed partial class QueueFunctions(ILogger<QueueFunctions> logger)
{
    /// <summary>Records what it got on the output queue; throws for messages starting with "fail".</summary>
    [Function("Consume")]
    [QueueOutput("%FIXTURE_QUEUE%-out")]
    public string Consume([QueueTrigger("%FIXTURE_QUEUE%")] string message, long dequeueCount, string id, DateTimeOffset insertionTime)
    {
        LogReceived(logger, id, dequeueCount);
        if (message.StartsWith("fail", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Fixture failure on dequeue {dequeueCount}.");
        }

        return JsonSerializer.Serialize(new { text = message, dequeueCount, id, insertionTime });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fixture queue message {Id} dequeue {DequeueCount}")]
    private static partial void LogReceived(ILogger logger, string id, long dequeueCount);
}
