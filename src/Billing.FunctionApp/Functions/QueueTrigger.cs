namespace Billing.FunctionApp.Functions;

/// <summary>One delivery of a queue message to a queue-triggered function (from the host or the standalone poller).</summary>
public sealed record QueueTrigger(string MessageText, string? MessageId, long DequeueCount, DateTimeOffset? InsertedOn);

/// <summary>A queue-triggered function: throw to fail the delivery (it is retried, then moved to the poison queue).</summary>
public interface IQueueTriggeredFunction
{
    string Name { get; }

    Task RunAsync(QueueTrigger trigger, CancellationToken cancellationToken);
}
