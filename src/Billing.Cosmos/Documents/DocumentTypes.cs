namespace Billing.Cosmos.Documents;

/// <summary>The <c>type</c> values of stored documents and the schema version this code writes for each.</summary>
internal static class DocumentTypes
{
    public const string Account = "account";
    /// <summary>2: renewsBy, customer generation and former customers, open Checkout, last paid plan, duplicate subscriptions.</summary>
    public const int AccountSchemaVersion = 2;

    public const string Usage = "usage";
    public const int UsageSchemaVersion = 1;

    public const string StripeEvent = "stripeEvent";
    public const int StripeEventSchemaVersion = 1;

    public const string StripeCustomer = "stripeCustomer";
    public const int StripeCustomerSchemaVersion = 1;
}
