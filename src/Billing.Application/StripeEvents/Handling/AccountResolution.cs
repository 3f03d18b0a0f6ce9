using Billing.Domain.Accounts;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>The billing account an event belongs to, or why none could be found.</summary>
public sealed record AccountResolution(AccountId? AccountId, string? Problem)
{
    public static AccountResolution Found(AccountId accountId) => new(accountId, null);

    public static AccountResolution NotFound(string problem) => new(null, problem);
}
