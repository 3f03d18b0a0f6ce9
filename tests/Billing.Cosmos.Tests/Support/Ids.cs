using Billing.Domain.Accounts;

namespace Billing.Cosmos.Tests.Support;

internal static class Ids
{
    public static AccountId NewAccount(string prefix = "acct") => AccountId.Parse($"{prefix}-{Guid.NewGuid():N}");

    public static string NewStripe(string prefix) => $"{prefix}_{Guid.NewGuid():N}";
}
