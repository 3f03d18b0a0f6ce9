namespace Billing.Application.Usage;

/// <summary>
/// <see cref="UsageConsumeOutcome.Consumed"/>: <see cref="Counter"/> is the new value.
/// <see cref="UsageConsumeOutcome.LimitExceeded"/>: nothing was added; <see cref="Counter"/> is the current value.
/// </summary>
public sealed record UsageConsumeResult(UsageConsumeOutcome Outcome, long Counter, long? Limit)
{
    public bool IsConsumed => Outcome == UsageConsumeOutcome.Consumed;

    public static UsageConsumeResult Consumed(long newValue, long? limit) => new(UsageConsumeOutcome.Consumed, newValue, limit);

    public static UsageConsumeResult Exceeded(long current, long limit) => new(UsageConsumeOutcome.LimitExceeded, current, limit);
}
