namespace Billing.Application.Outcomes;

/// <summary>The request is well-formed but the account's state does not allow it; nothing was changed.</summary>
public sealed record Refused<T>(Refusal Refusal) : Outcome<T>;
