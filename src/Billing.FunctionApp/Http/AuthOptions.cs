using System.Text;

namespace Billing.FunctionApp.Http;

/// <summary>
/// JWT validation for every user endpoint. Production: an OIDC <see cref="Authority"/> (keys from its discovery
/// document). Local development and tests: a symmetric <see cref="DevelopmentSigningKey"/> (refused outside Development).
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public string? Authority { get; set; }

    public string Issuer { get; set; } = "";

    public string Audience { get; set; } = "";

    public string? DevelopmentSigningKey { get; set; }

    /// <summary>The claim naming the billing account: <c>sub</c> (one account per user) or an organisation claim (B2B).</summary>
    public string AccountClaim { get; set; } = AuthDefaults.AccountClaim;

    public string RoleClaim { get; set; } = AuthDefaults.RoleClaim;

    public string AdminRole { get; set; } = AuthDefaults.AdminRole;

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How soon an unknown signing key id may trigger another fetch of the authority's keys (rollover).</summary>
    public TimeSpan MetadataRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>An authority on this machine (a local OIDC stand-in) may be plain http; any other must be https.</summary>
    public static bool IsLoopback(string authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.IsLoopback;

    public IEnumerable<string> Validate(bool isDevelopment)
    {
        if (string.IsNullOrWhiteSpace(Issuer))
        {
            yield return "Auth:Issuer is required (the 'iss' every token must carry).";
        }

        if (string.IsNullOrWhiteSpace(Audience))
        {
            yield return "Auth:Audience is required (the 'aud' every token must carry).";
        }

        var hasAuthority = !string.IsNullOrWhiteSpace(Authority);
        var hasKey = !string.IsNullOrWhiteSpace(DevelopmentSigningKey);
        if (hasAuthority == hasKey)
        {
            yield return "Set exactly one of Auth:Authority (OIDC, production) and Auth:DevelopmentSigningKey (local development).";
        }

        if (hasAuthority && (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && !(authority.Scheme == Uri.UriSchemeHttp && authority.IsLoopback))))
        {
            yield return "Auth:Authority must be an absolute https URL (plain http only for a loopback address).";
        }

        if (MetadataRefreshInterval < TimeSpan.FromSeconds(1) || MetadataRefreshInterval > TimeSpan.FromDays(1))
        {
            yield return "Auth:MetadataRefreshInterval must be between 00:00:01 and 1.00:00:00.";
        }


        if (hasKey && !isDevelopment)
        {
            yield return "Auth:DevelopmentSigningKey is only accepted in the Development environment; configure Auth:Authority.";
        }

        if (hasKey && Encoding.UTF8.GetByteCount(DevelopmentSigningKey!) < 32)
        {
            yield return "Auth:DevelopmentSigningKey must be at least 32 bytes (HMAC-SHA256).";
        }

        if (string.IsNullOrWhiteSpace(AccountClaim))
        {
            yield return "Auth:AccountClaim must name a claim (e.g. sub or org_id).";
        }

        if (string.IsNullOrWhiteSpace(RoleClaim))
        {
            yield return $"Auth:RoleClaim must name the claim holding the roles (default {AuthDefaults.RoleClaim}).";
        }

        if (string.IsNullOrWhiteSpace(AdminRole))
        {
            yield return $"Auth:AdminRole must name the role of the operators (default {AuthDefaults.AdminRole}).";
        }

        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.FromMinutes(5))
        {
            yield return "Auth:ClockSkew must be between 00:00:00 and 00:05:00.";
        }
    }
}
