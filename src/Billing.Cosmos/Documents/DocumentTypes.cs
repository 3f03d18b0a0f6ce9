namespace Billing.Cosmos.Documents;

/// <summary>The <c>type</c> values of stored documents and the schema version this code writes for each.</summary>
internal static class DocumentTypes
{
    public const string Account = "account";
    /// <summary>2: renewsBy, customer generation and former customers, open Checkout, last paid plan, duplicate subscriptions.</summary>
    public const int AccountSchemaVersion = 2;

    public const string Usage = "usage";
    /// <summary>
    /// 2: the plan and included units kept for pricing, the thresholds notified. 3: per overage meter, the units lapsed
    /// add-ons covered (<c>lapsed</c>) and the expired add-on units taken into account (<c>expired</c>); read as none when absent.
    /// 4: per overage meter, what each add-on that stopped applying covered (<c>covered</c>); older counters keep their
    /// <c>lapsed</c> for the add-ons they had seen expire.
    /// </summary>
    public const int UsageSchemaVersion = 4;

    public const string UsageKey = "usageKey";
    public const int UsageKeySchemaVersion = 1;

    public const string UsagePeriod = "usagePeriod";
    public const int UsagePeriodSchemaVersion = 1;

    public const string AllocationCounter = "allocations";
    public const int AllocationCounterSchemaVersion = 1;

    public const string Allocation = "allocation";
    public const int AllocationSchemaVersion = 1;

    public const string InvoiceRun = "invoiceRun";
    /// <summary>2: <c>collectionPause</c> (a run that must not collect its invoice is never rewritten by code that would).</summary>
    public const int InvoiceRunSchemaVersion = 2;

    /// <summary>What a run without <c>collectionPause</c> is still written as, so a rollback to version 1 code goes on with it.</summary>
    public const int InvoiceRunSchemaVersionCollected = 1;

    public const string AccountSummary = "accountSummary";
    public const int AccountSummarySchemaVersion = 1;

    public const string InvoiceEntry = "invoiceEntry";
    public const int InvoiceEntrySchemaVersion = 1;

    public const string RunEntry = "runEntry";
    public const int RunEntrySchemaVersion = 1;

    public const string RunIndexMark = "runIndexMark";
    public const int RunIndexMarkSchemaVersion = 1;

    public const string AccountStripeEvent = "accountStripeEvent";
    public const int AccountStripeEventSchemaVersion = 1;

    public const string CreditBook = "credits";
    /// <summary>2: <c>pending</c> is an array of entries (was one entry object).</summary>
    public const int CreditBookSchemaVersion = 2;

    public const string CreditEntry = "creditEntry";

    public const int CreditEntrySchemaVersion = 1;

    public const string SweepPosition = "sweepPosition";

    public const int SweepPositionSchemaVersion = 1;

    public const string InvoicingSweepMark = "invoicingSweepMark";

    public const int InvoicingSweepMarkSchemaVersion = 1;

    public const string StripeEvent = "stripeEvent";
    public const int StripeEventSchemaVersion = 1;

    public const string StripeCustomer = "stripeCustomer";
    public const int StripeCustomerSchemaVersion = 1;
}
