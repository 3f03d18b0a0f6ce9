using System.Globalization;
using System.Text.RegularExpressions;

namespace Billing.Application.Invoicing;

/// <summary>
/// A calendar month (UTC) as the operator names an invoicing run, <c>YYYY-MM</c>. Billing periods close on any day of
/// the month (each subscription renews on its own day), so the month stands for <b>the periods whose last instant falls
/// in it</b>: those that end after the month's first instant and no later than the next month's first instant. The
/// calendar period <c>month-2026-11</c> (which ends 2026-12-01T00:00Z) is in 2026-11, and so is a subscription period
/// from 15 Oct to 15 Nov; one from 15 Nov to 15 Dec is in 2026-12.
/// </summary>
public readonly partial record struct BillingMonth
{
    private BillingMonth(int year, int month) => Start = new DateTimeOffset(year, month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The month's first instant.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The next month's first instant (the last period end the month takes).</summary>
    public DateTimeOffset End => Start.AddMonths(1);

    /// <summary>The days of the closing-day index to read: from the month's first day to the next month's first (a period ending at its midnight is this month's).</summary>
    public DateOnly FirstIndexDay => DateOnly.FromDateTime(Start.UtcDateTime);

    public DateOnly LastIndexDay => DateOnly.FromDateTime(End.UtcDateTime);

    /// <summary>The month after this one.</summary>
    public BillingMonth Next => new(End.Year, End.Month);

    /// <summary>The month a period ending at <paramref name="periodEnd"/> (exclusive) belongs to: the one its last instant falls in.</summary>
    public static BillingMonth Of(DateTimeOffset periodEnd)
    {
        var last = periodEnd.UtcDateTime.AddTicks(-1);
        return new BillingMonth(last.Year, last.Month);
    }

    /// <summary>Whether a period ending at <paramref name="periodEnd"/> (exclusive) belongs to the month.</summary>
    public bool Contains(DateTimeOffset periodEnd) => periodEnd > Start && periodEnd <= End;

    public static bool TryParse(string? text, out BillingMonth month)
    {
        month = default;
        if (text is null || !Shape().IsMatch(text))
        {
            return false;
        }

        var year = int.Parse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture);
        var number = int.Parse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture);
        if (number is < 1 or > 12 || year is < 2000 or > 9998)
        {
            return false;
        }

        month = new BillingMonth(year, number);
        return true;
    }

    public override string ToString() => Start.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}\z", RegexOptions.CultureInvariant)] // \z, not $: $ also matches before a final line break
    private static partial Regex Shape();
}
