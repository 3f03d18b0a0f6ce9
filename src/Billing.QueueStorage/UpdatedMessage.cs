namespace Billing.QueueStorage;

/// <summary>The outcome of Update Message: the pop receipt to use from now on and when the message becomes visible.</summary>
public sealed record UpdatedMessage(string PopReceipt, DateTimeOffset NextVisibleOn);
