namespace Billing.Application.StripeEvents.Ingest;

/// <summary>Identifies a sent queue message so the sender can delete it: the queue's message id and pop receipt.</summary>
public sealed record StripeEventQueueReceipt(string MessageId, string PopReceipt);
