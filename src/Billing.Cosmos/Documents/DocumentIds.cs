using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Cosmos.Documents;

/// <summary>
/// Document ids in the accounts container: <c>{kind}:{accountId}[:{suffix}]</c>. The kind prefix keeps kinds apart
/// and the account id makes ids unique across partitions (the local server checks patch conditions by id alone).
/// Reserved for later kinds: <c>credits:{accountId}</c>, <c>credit-entry:{accountId}:{entryKey}</c>,
/// <c>invoice-run:{accountId}:{periodKey}</c>.
/// </summary>
internal static class DocumentIds
{
    public static string Account(AccountId accountId) => "account:" + accountId.Value;

    public static string Usage(AccountId accountId, UsagePeriodKey periodKey) => $"usage:{accountId.Value}:{periodKey.Value}";
}
