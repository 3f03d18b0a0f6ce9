using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Billing.FunctionApp.Http;

/// <summary>
/// JWT bearer validation (section <c>Auth</c>) and the policies the functions declare: every HTTP function needs a
/// user token unless it carries <c>[AllowAnonymous]</c>; admin functions carry <c>[Authorize(Policy = AdminPolicy)]</c>
/// (a user token with the admin role). A user token is one issued for a signed-in user (<see cref="UserTokenRequirement"/>:
/// an app-only token is refused) whose account claim is a usable account id. Functions the product's backend calls (never
/// a browser) carry <c>[Authorize(Policy = ServicePolicy)]</c> and accept an API key or an app-only token with the
/// service scope (section <c>Billing:ServiceAuth</c>, <see cref="ServiceCallerCheck"/>).
/// A token's lifetime is judged by the app's <see cref="TimeProvider"/> (<see cref="TimeProvider.System"/> unless one is
/// registered), like every other time in the app.
/// Applied by <see cref="AuthenticationMiddleware"/>: ASP.NET Core's own middleware does not run in the worker.
/// </summary>
public static class Authentication
{
    public const string UserPolicy = "BillingUser";
    public const string AdminPolicy = "BillingAdmin";
    public const string ServicePolicy = "BillingService";

    internal static IServiceCollection AddBillingAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>>(new AuthOptionsValidator(environment.IsDevelopment()));

        services.AddOptions<ServiceAuthOptions>().Bind(configuration.GetSection(ServiceAuthOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServiceAuthOptions>>(new ServiceAuthOptionsValidator(environment.IsDevelopment()));
        services.AddSingleton(sp => new ServiceCallerCheck(sp.GetRequiredService<IOptions<ServiceAuthOptions>>().Value));
        services.AddSingleton<IAuthorizationHandler, UserTokenHandler>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, TimeProvider>((jwt, auth, time) => Configure(jwt, auth.Value, time));

        services.AddAuthorizationBuilder()
            .AddPolicy(UserPolicy, policy => policy.RequireAuthenticatedUser().AddRequirements(UserTokenRequirement.Instance).RequireAssertion(c => Caller(c) is not null))
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().AddRequirements(UserTokenRequirement.Instance).RequireAssertion(c => Caller(c) is { IsAdmin: true }))
            .AddPolicy(ServicePolicy, policy => policy.RequireAuthenticatedUser().RequireAssertion(c => ServiceCaller.From(c.User) is not null));
        return services;
    }

    /// <summary>
    /// What an OIDC provider may sign with: every asymmetric JWS algorithm (RSA PKCS#1 v1.5, RSA-PSS, ECDSA; providers
    /// let the realm choose, e.g. Keycloak's RS512 or ES384), never a symmetric one (HS*, which the provider's public
    /// keys would turn into an algorithm confusion) nor none.
    /// </summary>
    private static readonly string[] ProviderAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    private static void Configure(JwtBearerOptions jwt, AuthOptions auth, TimeProvider time)
    {
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = auth.Issuer,
            ValidAudience = auth.Audience,
            ValidateIssuer = true,

            // Exactly Auth:Issuer: with an Authority, JwtBearer adds the discovery document's issuer to the valid
            // issuers, which would accept a token whose iss differs from the setting.
            IssuerValidator = (issuer, _, _) => string.Equals(issuer, auth.Issuer, StringComparison.Ordinal)
                ? issuer
                : throw new SecurityTokenInvalidIssuerException("The token's issuer is not Auth:Issuer.") { InvalidIssuer = issuer },
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            LifetimeValidator = (notBefore, expires, _, parameters) => ValidLifetime(notBefore, expires, time.GetUtcNow().UtcDateTime, parameters.ClockSkew),
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = auth.ClockSkew,
            RoleClaimType = auth.RoleClaim,
            NameClaimType = auth.AccountClaim,
        };
        if (!string.IsNullOrWhiteSpace(auth.Authority))
        {
            // Keys come from the authority's discovery document and JWKS; an unknown key id triggers a refresh
            // (at most once per MetadataRefreshInterval), so the provider's key rollover needs no restart.
            jwt.Authority = auth.Authority;
            jwt.RequireHttpsMetadata = !AuthOptions.IsLoopback(auth.Authority);
            jwt.RefreshOnIssuerKeyNotFound = true;
            jwt.RefreshInterval = auth.MetadataRefreshInterval;
            jwt.TokenValidationParameters.ValidAlgorithms = ProviderAlgorithms;
        }
        else
        {
            jwt.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(auth.DevelopmentSigningKey!));
            jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
    }

    /// <summary>
    /// A token's <c>nbf</c> and <c>exp</c>, with the clock skew, judged by the app's clock (the injected
    /// <see cref="TimeProvider"/>), not the machine's behind it; failures are IdentityModel's own exceptions, so the
    /// answer is the one its validator gives (<c>invalid_token</c>, "The token expired at ...").
    /// </summary>
    private static bool ValidLifetime(DateTime? notBefore, DateTime? expires, DateTime now, TimeSpan skew)
    {
        if (expires is not { } expiry)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiration time.");
        }

        if (notBefore is { } start && start > expiry)
        {
            throw new SecurityTokenInvalidLifetimeException("The token's nbf is after its exp.") { NotBefore = start, Expires = expiry };
        }

        if (notBefore is { } from && from > now + skew)
        {
            throw new SecurityTokenNotYetValidException($"The token is not valid before {from:O}.") { NotBefore = from };
        }

        return expiry >= now - skew
            ? true
            : throw new SecurityTokenExpiredException($"The token expired at {expiry:O}.") { Expires = expiry };
    }

    private static BillingCaller? Caller(AuthorizationHandlerContext context) =>
        context.Resource is HttpContext http
            ? BillingCaller.From(context.User, http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value)
            : null;

    private sealed class AuthOptionsValidator(bool isDevelopment) : IValidateOptions<AuthOptions>
    {
        public ValidateOptionsResult Validate(string? name, AuthOptions options)
        {
            var errors = options.Validate(isDevelopment).ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
