namespace Billing.QueueStorage;

/// <summary>A message taken by Get Messages: invisible to others until <see cref="NextVisibleOn"/>; delete it with its pop receipt.</summary>
public sealed record ReceivedMessage(string MessageId, string PopReceipt, string MessageText, long DequeueCount, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn, DateTimeOffset NextVisibleOn);
