namespace Billing.QueueStorage;

/// <summary>A message seen by Peek Messages: its visibility and dequeue count are unchanged.</summary>
public sealed record PeekedMessage(string MessageId, string MessageText, long DequeueCount, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn);
