using Billing.Application.Outcomes;
using Microsoft.Extensions.Options;

namespace Billing.Application.Redirects;

/// <summary>
/// Decides which URL the customer is sent back to: the configured default, or a URL from the request when it is a
/// well-formed absolute http(s) URL whose origin is on <see cref="RedirectOptions.AllowedOrigins"/> (no open redirects).
/// </summary>
public sealed class RedirectUrlPolicy
{
    private readonly HashSet<string> _allowedOrigins;

    public RedirectUrlPolicy(IOptions<RedirectOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _allowedOrigins = new HashSet<string>(StringComparer.Ordinal);
        foreach (var configured in options.Value.AllowedOrigins)
        {
            if (RedirectUrls.TryParseOrigin(configured, out var origin))
            {
                _allowedOrigins.Add(origin);
            }
        }
    }

    /// <summary>Null when <paramref name="url"/> may be used as a redirect target; otherwise the reason.</summary>
    public string? Problem(string url)
    {
        if (RedirectUrls.Problem(url) is { } problem)
        {
            return problem;
        }

        var origin = RedirectUrls.OriginOf(new Uri(url, UriKind.Absolute));
        return _allowedOrigins.Contains(origin) ? null : $"The origin {origin} is not on the allow-list of redirect origins.";
    }

    /// <summary>
    /// <paramref name="requested"/> when given and allowed, <paramref name="configuredDefault"/> when not given; when given
    /// but not allowed, records an error for <paramref name="field"/> and returns null.
    /// </summary>
    public string? Choose(string? requested, string configuredDefault, string field, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (requested is null)
        {
            return configuredDefault;
        }

        if (Problem(requested) is { } problem)
        {
            errors.Add(field, problem);
            return null;
        }

        return requested;
    }
}
