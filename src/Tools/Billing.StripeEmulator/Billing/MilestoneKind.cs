namespace Billing.StripeEmulator.Billing;

internal enum MilestoneKind
{
    TrialWillEnd,
    TrialEnd,
    PeriodEnd,
    CancelAt,
    CollectionResume,
    InvoiceAutoFinalize,
    InvoiceAutoCollect,
    CheckoutSessionExpiry,
}
