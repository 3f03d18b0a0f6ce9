using System.Globalization;
using System.Text.RegularExpressions;

namespace Billing.Domain.Metering;

/// <summary>
/// Identifies one usage period of an account; counters roll over because a new period has a new key.
/// Keys are derived only from the period's start, so every caller computes the same key for the same period:
/// <c>month-2026-11</c> (calendar month, UTC), <c>sub-20261115T103000Z</c> (a subscription period starting then),
/// <c>trial-20261110T083000Z</c> (a local trial starting then).
/// </summary>
public readonly partial record struct UsagePeriodKey
{
    private readonly string? _value;

    private UsagePeriodKey(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("A UsagePeriodKey was used without being created (default value).");

    public static UsagePeriodKey ForCalendarMonth(int year, int month) =>
        new(string.Create(CultureInfo.InvariantCulture, $"month-{year:D4}-{month:D2}"));

    public static UsagePeriodKey ForSubscriptionPeriod(DateTimeOffset periodStart) => new("sub-" + Stamp(periodStart));

    public static UsagePeriodKey ForLocalTrial(DateTimeOffset trialStart) => new("trial-" + Stamp(trialStart));

    public static UsagePeriodKey Parse(string? value) =>
        TryParse(value, out var key) ? key : throw new ArgumentException($"'{value}' is not a usage period key.", nameof(value));

    public static bool TryParse(string? value, out UsagePeriodKey key)
    {
        key = default;
        if (value is null || !Shape().IsMatch(value))
        {
            return false;
        }

        key = new UsagePeriodKey(value);
        return true;
    }

    /// <summary>Whether this is a subscription's period (<c>sub-</c>), not a calendar month or a local trial.</summary>
    public bool IsSubscriptionPeriod => Value.StartsWith("sub-", StringComparison.Ordinal);

    public override string ToString() => _value ?? string.Empty;

    private static string Stamp(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(month-[0-9]{4}-[0-9]{2}|(sub|trial)-[0-9]{8}T[0-9]{6}Z)\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
