using System.Text.RegularExpressions;

namespace Billing.StripeEmulator.Configuration;

/// <summary>Stripe API version names: `2026-10-28.endive`, or a dated one without a name (`2023-08-16`).</summary>
internal static partial class ApiVersions
{
    public static bool IsValid(string? version) => version is not null && Pattern().IsMatch(version);

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}(\.[a-z]+)?\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Pattern();
}
