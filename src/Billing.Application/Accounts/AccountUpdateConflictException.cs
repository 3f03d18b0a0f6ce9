using Billing.Domain.Accounts;

namespace Billing.Application.Accounts;

/// <summary>An optimistic update kept losing to concurrent writers and gave up; the caller may retry later.</summary>
public sealed class AccountUpdateConflictException : Exception
{
    public AccountUpdateConflictException()
    {
    }

    public AccountUpdateConflictException(string message)
        : base(message)
    {
    }

    public AccountUpdateConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AccountUpdateConflictException(AccountId accountId, int attempts)
        : base($"Billing account '{accountId}' was changed concurrently on each of {attempts} attempts; the update was not applied.")
    {
        AccountId = accountId;
        Attempts = attempts;
    }

    public AccountId? AccountId { get; }

    public int Attempts { get; }
}
