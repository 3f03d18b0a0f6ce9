using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Accounts;

/// <summary>A bought add-on on the account (<c>addOns</c>): +units on one meter's limit.</summary>
internal sealed record MeterAddOnDocument : DocumentPart
{
    public required string GrantId { get; init; }

    public required string Code { get; init; }

    public required string Meter { get; init; }

    public required long Units { get; init; }

    public required DateTimeOffset GrantedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public string? PeriodKey { get; init; }

    public string? PaymentIntentId { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }
}
