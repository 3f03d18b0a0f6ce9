namespace Billing.StripeEmulator.Billing;

/// <summary>How an attempt to collect an invoice ended.</summary>
internal enum PaymentOutcome
{
    Paid,
    Declined,
    RequiresAction,
}
