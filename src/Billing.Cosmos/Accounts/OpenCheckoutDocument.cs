using Billing.Cosmos.Documents;
using Billing.Domain.Plans;

namespace Billing.Cosmos.Accounts;

internal sealed record OpenCheckoutDocument : DocumentPart
{
    public required string SessionId { get; init; }

    public required Uri Url { get; init; }

    public required string PlanCode { get; init; }

    public required BillingInterval Interval { get; init; }

    public required string PriceId { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public int? TrialDays { get; init; }

    public string? SuccessUrl { get; init; }

    public string? CancelUrl { get; init; }
}
