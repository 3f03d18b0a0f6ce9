using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Cosmos.Documents;

/// <summary>
/// Document ids in the accounts container: <c>{kind}:{accountId}[:{suffix}]</c>. The kind prefix keeps kinds apart
/// and the account id makes ids unique across partitions (the local server checks patch conditions by id alone).
/// Usage: <c>usage</c>, <c>usage-key</c>, <c>usage-period</c> (in the index partitions), <c>allocations</c>, <c>allocation</c>;
/// invoicing: <c>invoice-run</c>; credits: <c>credits</c> (the book), <c>credit-entry</c> (one per ledger entry); operator views: <c>account-event</c>, and <c>account-summary</c>, <c>invoice-entry</c> in their index partitions; the missed-event sweep: <c>sweep-position</c> in its own partition; the invoicing sweep: <c>sweep-mark</c> in its own partition.
/// </summary>
internal static class DocumentIds
{
    public static string Account(AccountId accountId) => "account:" + accountId.Value;

    public static string Usage(AccountId accountId, UsagePeriodKey periodKey) => $"usage:{accountId.Value}:{periodKey.Value}";

    /// <summary>An idempotency key of recorded usage; the key is hashed (any printable key, fixed length).</summary>
    public static string UsageKey(AccountId accountId, string idempotencyKey) => $"usage-key:{accountId.Value}:{Hash(idempotencyKey)}";

    /// <summary>An entry of the closing-day index (partition <see cref="UsagePeriodsPartition"/>).</summary>
    public static string UsagePeriod(AccountId accountId, UsagePeriodKey periodKey) => $"usage-period:{accountId.Value}:{periodKey.Value}";

    /// <summary>
    /// How many partitions the closing-day index spreads one day over. Every free account's period ends on the 1st, so
    /// one partition per day would take every free account's first record of a month at once (a logical partition
    /// serves at most 10,000 RU/s); each account's entries go to one of these by a hash of its id.
    /// </summary>
    public const int UsagePeriodsBuckets = 16;

    /// <summary>
    /// The partition of <paramref name="accountId"/>'s entries in the closing-day index for periods ending on
    /// <paramref name="day"/> (UTC): <c>/usage-periods/{yyyy-MM-dd}/{bucket}</c>. It lives in the accounts container under a
    /// value no account id can take (account ids never contain '/').
    /// </summary>
    public static string UsagePeriodsPartition(DateOnly day, AccountId accountId) => UsagePeriodsPartition(day, SHA256.HashData(Encoding.UTF8.GetBytes(accountId.Value))[0] % UsagePeriodsBuckets);

    /// <summary>One of the <see cref="UsagePeriodsBuckets"/> partitions of the closing-day index for <paramref name="day"/>.</summary>
    public static string UsagePeriodsPartition(DateOnly day, int bucket) =>
        string.Create(CultureInfo.InvariantCulture, $"/usage-periods/{day:yyyy-MM-dd}/{bucket:D2}");

    /// <summary>
    /// The one partition per day of the closing-day index before it had buckets (<c>/usage-periods/{yyyy-MM-dd}</c>): read
    /// and marked, never written, so periods indexed by an earlier version are still invoiced.
    /// </summary>
    public static string UsagePeriodsUnbucketedPartition(DateOnly day) => string.Create(CultureInfo.InvariantCulture, $"/usage-periods/{day:yyyy-MM-dd}");

    public static string AllocationCounter(AccountId accountId, MeterName meter) => $"allocations:{accountId.Value}:{meter.Value}";

    public static string Allocation(AccountId accountId, MeterName meter, string allocationId) => $"allocation:{accountId.Value}:{meter.Value}:{Hash(allocationId)}";

    /// <summary>The invoicing run of one account's usage period (one per account and period).</summary>
    public static string InvoiceRun(AccountId accountId, UsagePeriodKey periodKey) => $"{InvoiceRunPrefix}{accountId.Value}:{periodKey.Value}";

    /// <summary>An invoice run's id is this prefix and the run id (<c>{accountId}:{periodKey}</c>).</summary>
    public const string InvoiceRunPrefix = "invoice-run:";

    /// <summary>An account's entry in the operators' account index (partition <see cref="AccountIndexPartition"/>).</summary>
    public static string AccountSummary(AccountId accountId) => "account-summary:" + accountId.Value;

    /// <summary>The one partition of the operators' account index; account ids never contain '/'.</summary>
    public const string AccountIndexPartition = "/admin/accounts";

    /// <summary>An invoice's entry in the operators' invoice index (partition <see cref="InvoiceIndexPartition"/>).</summary>
    public static string InvoiceEntry(AccountId accountId, UsagePeriodKey periodKey) => $"invoice-entry:{accountId.Value}:{periodKey.Value}";

    /// <summary>The one partition of the operators' invoice index.</summary>
    public const string InvoiceIndexPartition = "/admin/invoices";

    /// <summary>An invoice run's entry in the operators' run index of its month (partition <see cref="RunIndexPartition"/>): the prefix, then the run id.</summary>
    public static string RunEntry(AccountId accountId, UsagePeriodKey periodKey) => $"{RunEntryPrefix}{accountId.Value}:{periodKey.Value}";

    /// <summary>A run entry's id is this prefix and the run id (<c>{accountId}:{periodKey}</c>), so id order is run id order.</summary>
    public const string RunEntryPrefix = "run-entry:";

    /// <summary>The partition of the operators' run index of a month (<c>yyyy-MM</c>, the month the periods end in); account ids never contain '/'.</summary>
    public static string RunIndexPartition(string month) => "/admin/runs/" + month;

    /// <summary>The mark a finished backfill of a month's run index leaves in the month's partition (<see cref="RunIndexPartition"/>).</summary>
    public const string RunIndexCompleted = "run-index-completed";

    /// <summary>A Stripe event as recorded against the account it was applied to or ignored for (the account's partition).</summary>
    public static string AccountStripeEvent(AccountId accountId, string eventId) => $"account-event:{accountId.Value}:{eventId}";

    /// <summary>The account's credit book (the ledger's head).</summary>
    public static string CreditBook(AccountId accountId) => "credits:" + accountId.Value;

    /// <summary>One credit ledger entry; its key (derived from its cause) is hashed.</summary>
    public static string CreditEntry(AccountId accountId, string entryKey) => $"credit-entry:{accountId.Value}:{Hash(entryKey)}";

    /// <summary>The missed-event sweep's position, the one document of partition <see cref="SweepPositionPartition"/>.</summary>
    public const string MissedEventSweepPosition = "sweep-position:missed-event-sweep";

    /// <summary>
    /// The partition of the missed-event sweep's position: a value no account id can take (account ids never contain
    /// '/'), so no query scoped to an account, and no index partition's listing, ever reads it.
    /// </summary>
    public const string SweepPositionPartition = "/jobs/missed-event-sweep";

    /// <summary>The invoicing sweep's mark, the one document of partition <see cref="InvoicingSweepMarkPartition"/>.</summary>
    public const string InvoicingSweepMark = "sweep-mark:invoicing-sweep";

    /// <summary>The partition of the invoicing sweep's mark: a value no account id can take, as <see cref="SweepPositionPartition"/>.</summary>
    public const string InvoicingSweepMarkPartition = "/jobs/invoicing-sweep";

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
