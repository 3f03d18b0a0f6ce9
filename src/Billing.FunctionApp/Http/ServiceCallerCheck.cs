using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace Billing.FunctionApp.Http;

/// <summary>
/// The checks behind <see cref="Authentication.ServicePolicy"/>: whether a presented API key is one of the configured
/// hashes (<see cref="ServiceAuthOptions.ApiKeys"/>; compared in constant time against every one), whether a validated
/// token carries the service scope and was issued to a service client, and which service a token names. Keys are only ever hashed, never kept or logged.
/// The same reading of a token's claims tells the user and admin policies a token issued to a client acting for itself
/// (<see cref="AppOnlyEvidence"/>), which they refuse.
/// </summary>
internal sealed class ServiceCallerCheck
{
    /// <summary>The name given to a service token that has none of <c>sub</c>, <c>azp</c> and <c>client_id</c>.</summary>
    public const string UnnamedService = "unnamed";

    /// <summary>Where providers put what a client may do: OAuth scopes (<c>scope</c>, <c>scp</c>), and Entra ID's application permissions of client-credentials tokens (<c>roles</c>).</summary>
    private static readonly string[] ScopeClaims = ["scope", "scp", "roles"];

    private static readonly string[] ServiceNameClaims = ["sub", "azp", "client_id"];

    /// <summary>Where providers name the client a token was issued to: OIDC's <c>azp</c>, OAuth's <c>client_id</c> (RFC 9068), Entra ID v1's <c>appid</c>, Okta's <c>cid</c>.</summary>
    private static readonly string[] ClientClaims = ["azp", "client_id", "appid", "cid"];

    /// <summary>Microsoft Entra ID's optional claim naming the kind of token; <see cref="AppIdentityType"/> for an app-only one.</summary>
    private const string IdentityTypeClaim = "idtyp";

    private const string AppIdentityType = "app";

    /// <summary>The tenant every Microsoft Entra ID token carries: the mark of an Entra ID token here.</summary>
    private const string EntraTenantClaim = "tid";

    /// <summary>Entra ID's delegated scopes: only in a token issued for a user.</summary>
    private const string EntraScopesClaim = "scp";

    private readonly (string Name, byte[] Hash)[] _keys;

    private readonly HashSet<string> _clients;

    /// <param name="options">Validated options (<see cref="ServiceAuthOptionsValidator"/>): every hash is 64 hex characters.</param>
    public ServiceCallerCheck(ServiceAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _keys = [.. options.ApiKeys.Select(k => (k.Name, Convert.FromHexString(k.Sha256)))];
        Scope = options.Scope;
        _clients = new HashSet<string>(options.ClientIds, StringComparer.Ordinal);
    }

    /// <summary>The scope a service token must carry.</summary>
    public string Scope { get; }

    /// <summary>The lower-case hex SHA-256 of the UTF-8 <paramref name="key"/>: what <c>Billing:ServiceAuth:ApiKeys:N:Sha256</c> holds.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>
    /// The name of the configured key <paramref name="presented"/> is, or null. The presented key's hash is compared
    /// with every configured hash, each in constant time, so neither the answer time nor an early exit tells how much matched.
    /// </summary>
    public string? MatchApiKey(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        string? match = null;
        foreach (var (name, expected) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                match ??= name;
            }
        }

        return match;
    }

    /// <summary>
    /// Whether <see cref="Scope"/> is one of the space-separated values of a <c>scope</c>, <c>scp</c> or <c>roles</c>
    /// claim (any number of each). A role alone never makes a service: <see cref="IsServiceClient"/> is checked too.
    /// </summary>
    public bool HasScope(ClaimsPrincipal token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return token.Claims
            .Where(c => ScopeClaims.Contains(c.Type, StringComparer.Ordinal))
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Contains(Scope, StringComparer.Ordinal);
    }

    /// <summary>Whether the token was issued to one of the configured service clients (its <c>azp</c>, <c>client_id</c>, <c>appid</c> or <c>cid</c>).</summary>
    public bool IsServiceClient(ClaimsPrincipal token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return ClientClaims.Any(type => token.FindFirst(type)?.Value is { } client && _clients.Contains(client));
    }

    /// <summary>
    /// Why the token shows a signed-in user rather than a client acting for itself, or null. A service token must be
    /// app-only: a user may sign in through a client that is also a service client (one app registration for both), and
    /// such a token must not meter usage for any account. Two signs are read: Microsoft Entra ID's <c>idtyp</c> optional
    /// claim (<c>app</c> for an app-only token), and Entra ID's delegated scopes (<c>scp</c>, only in a token issued for
    /// a user; an Entra ID token carries its tenant in <c>tid</c>), where its client-credentials tokens carry
    /// application permissions in <c>roles</c>. Other providers' <c>scp</c> (Okta's client-credentials tokens) is left alone.
    /// </summary>
    public static string? UserEvidence(ClaimsPrincipal token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (IdentityType(token) is { } type && !IsApp(type))
        {
            return $"its idtyp is '{type}', not 'app'";
        }

        return IsEntra(token) && HasEntraScopes(token)
            ? "it carries Microsoft Entra ID delegated scopes (scp), which only a token issued for a user does; a client-credentials token carries the permission in roles"
            : null;
    }

    /// <summary>
    /// How the token shows it was issued to a client acting for itself (app-only: client credentials, a managed identity)
    /// rather than for a signed-in user, or null for a user's token. The user and admin policies refuse such a token: its
    /// account claim (<c>sub</c>: the client or service principal; <c>tid</c>: the whole organisation) names no user.
    /// The signs are read in this order, the first that applies deciding, from the claims <see cref="UserEvidence"/> reads:
    /// <list type="number">
    /// <item><c>idtyp</c> (Microsoft Entra ID's optional claim): <c>app</c> is app-only; any other value is a user's token.</item>
    /// <item>A Microsoft Entra ID token (<c>tid</c>) without delegated scopes (<c>scp</c>): Entra ID puts <c>scp</c> only
    /// in tokens issued for a user, and a client-credentials token carries its application permissions in <c>roles</c>,
    /// or nothing when it was granted none (any app of the tenant can get one unless the API requires assignment).</item>
    /// <item>Any other provider's token: app-only when issued to a service client (<see cref="IsServiceClient"/>), the
    /// clients that may call the service endpoints. Nothing else in such a token tells a user from a client (Okta's and
    /// Auth0's client-credentials tokens carry scopes too), so those clients are for client credentials only.</item>
    /// </list>
    /// A token with <c>idtyp=app</c> that also carries Entra ID delegated scopes shows both: it is refused everywhere.
    /// </summary>
    public AppOnlySign? AppOnlyEvidence(ClaimsPrincipal token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (IdentityType(token) is { } type)
        {
            return IsApp(type) ? AppOnlySign.IdentityType : null;
        }

        if (IsEntra(token))
        {
            return HasEntraScopes(token) ? null : AppOnlySign.EntraWithoutDelegatedScopes;
        }

        return IsServiceClient(token) ? AppOnlySign.ServiceClient : null;
    }

    /// <summary>The client a token was issued to, as it names it (for the refusal's detail), or null.</summary>
    public static string? ClientOf(ClaimsPrincipal token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return ClientClaims.Select(type => token.FindFirst(type)?.Value).FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));
    }

    /// <summary>The service a token names: its <c>sub</c>, else <c>azp</c>, else <c>client_id</c>, else <see cref="UnnamedService"/>.</summary>
    public static string ServiceName(ClaimsPrincipal token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return ServiceNameClaims
            .Select(type => token.FindFirst(type)?.Value)
            .FirstOrDefault(value => !string.IsNullOrWhiteSpace(value)) ?? UnnamedService;
    }

    private static string? IdentityType(ClaimsPrincipal token) => token.FindFirst(IdentityTypeClaim)?.Value;

    private static bool IsApp(string identityType) => string.Equals(identityType, AppIdentityType, StringComparison.OrdinalIgnoreCase);

    private static bool IsEntra(ClaimsPrincipal token) => token.HasClaim(c => c.Type == EntraTenantClaim);

    private static bool HasEntraScopes(ClaimsPrincipal token) => token.HasClaim(c => c.Type == EntraScopesClaim);
}

/// <summary>What showed a token to be app-only (<see cref="ServiceCallerCheck.AppOnlyEvidence"/>); logged by name, never a claim's value.</summary>
internal enum AppOnlySign
{
    /// <summary>Its <c>idtyp</c> is <c>app</c>.</summary>
    IdentityType,

    /// <summary>A Microsoft Entra ID token (<c>tid</c>) without delegated scopes (<c>scp</c>).</summary>
    EntraWithoutDelegatedScopes,

    /// <summary>Issued to one of <see cref="ServiceAuthOptions.ClientIds"/> (its <c>azp</c>, <c>client_id</c>, <c>appid</c> or <c>cid</c>).</summary>
    ServiceClient,
}
