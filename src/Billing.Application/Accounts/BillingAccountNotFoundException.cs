using Billing.Domain.Accounts;

namespace Billing.Application.Accounts;

/// <summary>An operation needed an account that does not exist.</summary>
public sealed class BillingAccountNotFoundException : Exception
{
    public BillingAccountNotFoundException()
    {
    }

    public BillingAccountNotFoundException(string message)
        : base(message)
    {
    }

    public BillingAccountNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BillingAccountNotFoundException(AccountId accountId)
        : base($"Billing account '{accountId}' does not exist.")
    {
        AccountId = accountId;
    }

    public AccountId? AccountId { get; }
}
