using System.Globalization;
using Billing.Application.Outcomes;

namespace Billing.Application.Admin;

/// <summary>What the admin listings share: the page size bounds and the checks of their query parameters.</summary>
internal static class AdminListing
{
    public const int DefaultPageSize = 25;

    public const int MaxPageSize = 100;

    public const int MaxSearchLength = 128;

    private const int MaxStatusLength = 40;

    /// <summary>The page size asked for (default <see cref="DefaultPageSize"/>), or a field error.</summary>
    public static int? PageSize(int? limit, ValidationErrors errors)
    {
        if (limit is { } asked and (< 1 or > MaxPageSize))
        {
            errors.Add("limit", $"Must be a whole number from 1 to {MaxPageSize}.");
            return null;
        }

        return limit ?? DefaultPageSize;
    }

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

    /// <summary>The keyset position of a cursor of <paramref name="listing"/>, or a field error.</summary>
    public static string? Position(string listing, string? cursor, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        var position = AdminCursor.Decode(listing, cursor);
        if (position is null)
        {
            errors.Add(AdminCursor.Field, "Not a cursor of this listing: pass the nextCursor of the previous page unchanged.");
        }

        return position;
    }
}
