using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Billing.Application.Redirects;

/// <summary>Shape checks for redirect URLs and origins (absolute http/https, no user info, no white space).</summary>
public static class RedirectUrls
{
    /// <summary>Longer URLs are refused (Stripe's own limits are higher; no legitimate return URL needs more).</summary>
    public const int MaxLength = 2048;

    /// <summary>Null when <paramref name="value"/> is an absolute http(s) URL fit to hand to Stripe; otherwise why not.</summary>
    public static string? Problem(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "A URL is required.";
        }

        if (value.Length > MaxLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The URL must be at most {MaxLength} characters.");
        }

        // Browsers read '\' as '/' and drop white space and control characters; refusing them keeps what is checked
        // here identical to what the browser will follow.
        if (value.Any(c => c == '\\' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return "The URL must not contain white space, control characters or backslashes.";
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "The URL must be absolute and use http or https.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "The URL must not contain user information.";
        }

        return null;
    }

    /// <summary>The origin of an absolute http(s) URL, normalized as <c>scheme://host:port</c> (IDN hosts in punycode).</summary>
    public static string OriginOf(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return string.Create(CultureInfo.InvariantCulture, $"{uri.Scheme}://{uri.IdnHost.ToLowerInvariant()}:{uri.Port}");
    }

    /// <summary>Parses a configured origin such as <c>https://app.example.com</c> (a trailing '/' is tolerated; nothing else after the authority).</summary>
    public static bool TryParseOrigin(string? value, [NotNullWhen(true)] out string? origin)
    {
        origin = null;
        if (Problem(value) is not null || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var afterAuthority = value!.AsSpan(value.IndexOf("//", StringComparison.Ordinal) + 2);
        var slash = afterAuthority.IndexOfAny('/', '?', '#');
        if (slash >= 0 && afterAuthority[slash..] is not "/")
        {
            return false;
        }

        origin = OriginOf(uri);
        return true;
    }
}
