using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Accounts;

internal sealed record LocalTrialDocument : DocumentPart
{
    public required string PlanCode { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset EndsAt { get; init; }
}
