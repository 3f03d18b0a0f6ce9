namespace Billing.Application.Usage;

/// <summary>
/// The store refused a record before applying it (throttled or unavailable, or the account's storage is full): nothing
/// was counted and no key was claimed, so the call can be retried as it is.
/// </summary>
public sealed class UsageNotCountedException : Exception
{
    public UsageNotCountedException()
    {
    }

    public UsageNotCountedException(string message)
        : base(message)
    {
    }

    public UsageNotCountedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
