namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>One plan of the catalog as a pricing page shows it.</summary>
public sealed record PlanResponse
{
    public required string Code { get; init; }

    public required string DisplayName { get; init; }

    /// <summary>free, trial or paid.</summary>
    public required string Kind { get; init; }

    /// <summary>Paid plans: the Checkout trial (0 = none). The trial plan: the length of POST /trial.</summary>
    public required int TrialDays { get; init; }

    /// <summary>The intervals a paid plan is sold by (month, year); empty for free and trial.</summary>
    public required IReadOnlyList<string> Intervals { get; init; }

    /// <summary>Currency of the overage prices (lower-case ISO code); null without overage.</summary>
    public string? Currency { get; init; }

    /// <summary>The plan's rule for every catalog meter.</summary>
    public required IReadOnlyList<PlanMeterResponse> Meters { get; init; }
}
