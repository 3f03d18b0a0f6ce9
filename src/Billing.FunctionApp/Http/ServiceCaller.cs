using System.Security.Claims;

namespace Billing.FunctionApp.Http;

/// <summary>
/// Which service is calling a function behind <see cref="Authentication.ServicePolicy"/>, and how it proved itself
/// (<see cref="ApiKeyCredential"/> or <see cref="BearerCredential"/>). <see cref="AuthenticationMiddleware"/> puts it
/// into <c>HttpContext.User</c> as the first identity (so <c>User.Identity.Name</c> is the service's name); for a
/// token the token's own claims follow as a second identity.
/// </summary>
public sealed record ServiceCaller(string Name, string Credential)
{
    /// <summary>The authentication type of the service identity; no token or other scheme produces it.</summary>
    public const string AuthenticationType = "BillingService";

    public const string ApiKeyCredential = "api_key";

    public const string BearerCredential = "bearer";

    public const string NameClaim = "billing_service";

    public const string CredentialClaim = "billing_credential";

    /// <summary>The service in <paramref name="user"/>, or null when no service identity is there (a user, or nobody).</summary>
    public static ServiceCaller? From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var identity = user.Identities.FirstOrDefault(i => string.Equals(i.AuthenticationType, AuthenticationType, StringComparison.Ordinal));
        var name = identity?.FindFirst(NameClaim)?.Value;
        var credential = identity?.FindFirst(CredentialClaim)?.Value;
        return name is null || credential is null ? null : new ServiceCaller(name, credential);
    }

    /// <summary>The principal for this caller; <paramref name="token"/> (the validated token's claims) follows the service identity.</summary>
    public ClaimsPrincipal ToPrincipal(ClaimsPrincipal? token = null)
    {
        var service = new ClaimsIdentity([new Claim(NameClaim, Name), new Claim(CredentialClaim, Credential)], AuthenticationType, NameClaim, roleType: null);
        var principal = new ClaimsPrincipal(service);
        if (token is not null)
        {
            principal.AddIdentities(token.Identities);
        }

        return principal;
    }
}
