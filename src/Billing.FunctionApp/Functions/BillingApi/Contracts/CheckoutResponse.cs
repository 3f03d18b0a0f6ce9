namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>A created Checkout Session: send the browser to <see cref="Url"/>.</summary>
public sealed record CheckoutResponse
{
    public required string SessionId { get; init; }

    public required Uri Url { get; init; }

    public required string Plan { get; init; }

    public required string Interval { get; init; }

    /// <summary>The Stripe trial this Checkout grants; null for none.</summary>
    public int? TrialDays { get; init; }
}
