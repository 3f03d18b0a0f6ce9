namespace Billing.Application.Usage;

public enum UsageConsumeOutcome
{
    Consumed = 0,
    LimitExceeded = 1,
}
