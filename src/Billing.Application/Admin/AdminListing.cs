using System.Globalization;
using Billing.Application.Outcomes;

namespace Billing.Application.Admin;

/// <summary>What the admin listings share: their page size bounds and the checks of their filters.</summary>
public static class AdminListing
{
    public const int DefaultPageSize = 25;

    public const int MaxPageSize = 100;

    public const int MaxSearchLength = 128;

    private const int MaxStatusLength = 40;

    /// <summary>A status filter: lower-case letters and underscores (Stripe's statuses, <c>trial</c>, <c>none</c>), or a field error.</summary>
    public static string? Status(string? status, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(status))
        {
            return null;
        }

        if (status.Length > MaxStatusLength || !status.All(c => c is (>= 'a' and <= 'z') or '_'))
        {
            errors.Add("status", "Use a status in lower case, e.g. active, past_due, canceled.");
            return null;
        }

        return status;
    }

    /// <summary>A month <c>YYYY-MM</c>, or a field error.</summary>
    public static string? Month(string field, string? month, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(month))
        {
            return null;
        }

        if (month.Length != 7 || !DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            errors.Add(field, "Use a month as YYYY-MM (e.g. 2026-11).");
            return null;
        }

        return month;
    }
}
