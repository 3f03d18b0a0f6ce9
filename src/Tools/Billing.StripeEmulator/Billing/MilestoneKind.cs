namespace Billing.StripeEmulator.Billing;

internal enum MilestoneKind
{
    TrialWillEnd,
    TrialEnd,
    PeriodEnd,
    CancelAt,
    InvoiceAutoFinalize,
    InvoiceAutoCollect,
    CheckoutSessionExpiry,
}
