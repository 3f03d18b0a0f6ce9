using Billing.Domain.Accounts;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>How an event was handled: its effect is in the account (<see cref="IsApplied"/>), or there was nothing to do and why.</summary>
public sealed record StripeEventHandlingResult
{
    private StripeEventHandlingResult(bool isApplied, AccountId? accountId, string? note)
    {
        IsApplied = isApplied;
        AccountId = accountId;
        Note = note;
    }

    public bool IsApplied { get; }

    public AccountId? AccountId { get; }

    /// <summary>Why it was ignored, or a remark about the effect; short, no secrets.</summary>
    public string? Note { get; }

    public static StripeEventHandlingResult Applied(AccountId accountId, string? note = null) => new(true, accountId, note);

    public static StripeEventHandlingResult Ignored(AccountId? accountId, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(false, accountId, reason);
    }
}
