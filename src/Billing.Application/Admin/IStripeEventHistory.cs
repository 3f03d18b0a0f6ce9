using Billing.Domain.Accounts;

namespace Billing.Application.Admin;

/// <summary>
/// The Stripe events recorded against one account (kept in the account's partition when an event is applied or
/// ignored for it), newest first: what an operator reads to see what Stripe said and what came of it.
/// </summary>
public interface IStripeEventHistory
{
    Task<IReadOnlyList<AccountStripeEvent>> ListRecentAsync(AccountId accountId, int limit, CancellationToken cancellationToken);
}

/// <summary>One Stripe event of an account and its outcome (<c>applied</c>, <c>ignored</c>) with the ignore reason.</summary>
public sealed record AccountStripeEvent
{
    public required string EventId { get; init; }

    public required string Type { get; init; }

    public required string Status { get; init; }

    public required DateTimeOffset Created { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public int Attempts { get; init; }

    public string? Note { get; init; }
}
