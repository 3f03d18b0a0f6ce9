namespace Billing.Application.Usage;

/// <summary>
/// The store refused a count before applying it (throttled or unavailable): nothing was counted, so the
/// idempotency key can be given back and the call retried. Any other failure of a count is ambiguous (it may have
/// been applied), so the key stays claimed and a retry never counts twice.
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
