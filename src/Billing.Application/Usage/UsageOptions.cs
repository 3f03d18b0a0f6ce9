namespace Billing.Application.Usage;

/// <summary>Rules of usage recording (section <c>Billing:Usage</c>).</summary>
public sealed class UsageOptions
{
    public const string SectionName = "Billing:Usage";

    /// <summary>The largest quantity one record may carry.</summary>
    public const long MaxQuantity = 1_000_000_000_000;

    /// <summary>How many records <c>POST /api/usage/batch</c> takes.</summary>
    public const int MaxBatchRecords = 100;

    public static readonly IReadOnlyList<int> DefaultThresholds = [80, 100];

    /// <summary>How late a record may arrive: an <c>occurredAt</c> older than this is refused (it must also be in the current period).</summary>
    public TimeSpan LateWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How far in the future an <c>occurredAt</c> may be (the caller's clock may run ahead of ours).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Percentages of a hard limit or of the included units that send one notification per period; default 80 and 100.</summary>
    public int[]? Thresholds { get; set; }

    /// <summary>How long an idempotency key is remembered; longer than a period plus the late window.</summary>
    public TimeSpan KeyRetention { get; set; } = TimeSpan.FromDays(45);

    public IReadOnlyList<int> EffectiveThresholds => Thresholds is { Length: > 0 } configured ? [.. configured.Distinct().Order()] : DefaultThresholds;
}
