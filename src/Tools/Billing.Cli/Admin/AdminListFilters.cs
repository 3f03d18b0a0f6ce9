namespace Billing.Cli.Admin;

/// <summary>The query of an admin listing: the filters given (name, value) in order, the cursor and the page size.</summary>
public sealed record AdminListFilters(IReadOnlyList<(string Name, string? Value)> Filters, string? Cursor, int? Limit)
{
    /// <summary><c>?name=value&amp;...</c> with the given filters only (empty when none), values escaped.</summary>
    public string ToQuery()
    {
        var parts = Filters.Append(("cursor", Cursor)).Append(("limit", Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Where(p => !string.IsNullOrEmpty(p.Item2))
            .Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}")
            .ToList();
        return parts.Count == 0 ? string.Empty : "?" + string.Join('&', parts);
    }
}
