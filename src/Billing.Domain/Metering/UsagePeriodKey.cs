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
        if (value is null || !Shape().IsMatch(value) || !TryReadStart(value, out _))
        {
            return false;
        }

        key = new UsagePeriodKey(value);
        return true;
    }

    /// <summary>Whether this is a subscription's period (<c>sub-</c>), not a calendar month or a local trial.</summary>
    public bool IsSubscriptionPeriod => Value.StartsWith("sub-", StringComparison.Ordinal);

    /// <summary>The instant the period starts, read back from the key (a calendar month: its first day, 00:00 UTC).</summary>
    public DateTimeOffset Start => TryReadStart(Value, out var start) ? start : throw new InvalidOperationException($"'{Value}' names no instant.");

    public override string ToString() => _value ?? string.Empty;

    private const string StampFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>Reads the start a key of the right shape names; false for a date that does not exist (month 13, Feb 30).</summary>
    private static bool TryReadStart(string value, out DateTimeOffset start)
    {
        var month = value.StartsWith("month-", StringComparison.Ordinal);
        return DateTimeOffset.TryParseExact(
            month ? value["month-".Length..] : value[(value.IndexOf('-', StringComparison.Ordinal) + 1)..],
            month ? "yyyy-MM" : StampFormat,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out start);
    }

    private static string Stamp(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString(StampFormat, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(month-[0-9]{4}-[0-9]{2}|(sub|trial)-[0-9]{8}T[0-9]{6}Z)\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
