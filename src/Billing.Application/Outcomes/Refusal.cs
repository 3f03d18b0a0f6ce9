namespace Billing.Application.Outcomes;

/// <summary>Why a use case refused, with a sentence the caller can show (no internal details).</summary>
public sealed record Refusal(RefusalReason Reason, string Detail);
