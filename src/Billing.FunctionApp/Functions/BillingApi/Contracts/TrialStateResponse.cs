namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>The account's one trial.</summary>
public sealed record TrialStateResponse
{
    /// <summary>POST /api/billing/trial would start a trial now.</summary>
    public required bool Available { get; init; }

    /// <summary>When the account's trial began (app-side or through Checkout); null if it never had one.</summary>
    public DateTimeOffset? UsedAt { get; init; }

    /// <summary>The app-side trial, running or over; null if none was started.</summary>
    public LocalTrialResponse? Local { get; init; }
}
