namespace Billing.QueueStorage;

/// <summary>What the service answered to Put Message: the new message's id, pop receipt and times.</summary>
public sealed record SentMessage(string MessageId, string PopReceipt, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn, DateTimeOffset NextVisibleOn);
