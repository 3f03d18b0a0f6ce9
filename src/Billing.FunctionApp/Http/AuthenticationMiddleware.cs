using System.Security.Claims;
using Billing.Application;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Billing.FunctionApp.Http;

/// <summary>
/// Worker middleware in front of every HTTP function: authenticates the caller and applies the function's policy
/// (<see cref="Authentication.UserPolicy"/> unless the method says <c>[AllowAnonymous]</c> or names another policy with
/// <c>[Authorize]</c>). Users and admins present a bearer token. Under <see cref="Authentication.ServicePolicy"/> a
/// service presents an API key in <see cref="ApiKeyHeader"/> (then no token is consulted) or a token with the service
/// scope, and <c>HttpContext.User</c> becomes its <see cref="ServiceCaller"/>. Missing or bad credentials are a 401 with
/// <c>WWW-Authenticate</c>, credentials that grant nothing here a 403, both as problem details; the function never runs
/// then. An app-only token on a user or admin function (<see cref="UserTokenRequirement"/>) gets the 403 with the fixed
/// <see cref="AppOnlyTokenRefusal.Detail"/> and is logged with what showed it (never a claim but the client's id).
/// A token that could not be checked because the identity provider's keys cannot be fetched is not called
/// invalid: that is a 503 (<see cref="ServiceUnavailableException"/>). Queue and timer invocations pass through.
/// </summary>
internal sealed partial class AuthenticationMiddleware(IAuthorizationService authorization, ServiceCallerCheck serviceCallers, IOptions<AuthOptions> auth, ILogger<AuthenticationMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public const string ApiKeyHeader = "X-Api-Key";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.GetHttpContext();
        if (http is null || FunctionMethods.Attribute<AllowAnonymousAttribute>(context) is not null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var policy = FunctionMethods.Attribute<AuthorizeAttribute>(context)?.Policy ?? Authentication.UserPolicy;
        var refusal = policy == Authentication.ServicePolicy
            ? await AuthenticateServiceAsync(http).ConfigureAwait(false)
            : await AuthenticateUserAsync(http).ConfigureAwait(false);
        if (refusal is null && await authorization.AuthorizeAsync(http.User, http, policy).ConfigureAwait(false) is { Succeeded: false } decision)
        {
            refusal = Forbidden(context.FunctionDefinition.Name, policy, http.User, decision.Failure);
        }

        if (refusal is not null)
        {
            context.GetInvocationResult().Value = refusal;
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>A bearer token, as every user and admin function needs; null when it is valid (then it is the user).</summary>
    private static async Task<IResult?> AuthenticateUserAsync(HttpContext http)
    {
        var result = await AuthenticateTokenAsync(http).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return Unauthorized(http, result.Failure, "token_required", MissingTokenDetail(http));
        }

        http.User = result.Principal;
        return null;
    }

    /// <summary>An API key or a token with the service scope; null when one is valid (then the service is the user).</summary>
    private async Task<IResult?> AuthenticateServiceAsync(HttpContext http)
    {
        if (http.Request.Headers.TryGetValue(ApiKeyHeader, out var presented))
        {
            var name = presented is [{ Length: > 0 } key] ? serviceCallers.MatchApiKey(key) : null;
            if (name is null)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Problems.Of(StatusCodes.Status401Unauthorized, "Unauthorized", $"The {ApiKeyHeader} key is not valid.", "invalid_api_key");
            }

            http.User = new ServiceCaller(name, ServiceCaller.ApiKeyCredential).ToPrincipal();
            return null;
        }

        var result = await AuthenticateTokenAsync(http).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return Unauthorized(http, result.Failure, "credentials_required", $"An API key ({ApiKeyHeader}) or a bearer token with the '{serviceCallers.Scope}' scope is required.");
        }

        if (!serviceCallers.HasScope(result.Principal))
        {
            return Problems.Of(StatusCodes.Status403Forbidden, "Forbidden",
                $"A service credential is required: an API key ({ApiKeyHeader}) or a token with the '{serviceCallers.Scope}' scope.", "forbidden");
        }

        if (!serviceCallers.IsServiceClient(result.Principal))
        {
            var client = ServiceCallerCheck.ClientOf(result.Principal) is { } named ? $"client '{named}'" : "no client";
            return Problems.Of(StatusCodes.Status403Forbidden, "Forbidden",
                $"A service credential is required: the token names {client}, which is not one of the service clients ({ServiceAuthOptions.SectionName}:ClientIds); a user's token is refused here even with the '{serviceCallers.Scope}' scope.", "forbidden");
        }

        if (ServiceCallerCheck.UserEvidence(result.Principal) is { } user)
        {
            return Problems.Of(StatusCodes.Status403Forbidden, "Forbidden",
                $"A service credential is required: the token was issued for a signed-in user ({user}); the product's backend must use the client-credentials flow.", "forbidden");
        }

        http.User = new ServiceCaller(ServiceCallerCheck.ServiceName(result.Principal), ServiceCaller.BearerCredential).ToPrincipal(result.Principal);
        return null;
    }

    /// <summary>
    /// Validates the bearer token. IdentityModel hides a failed fetch of the authority's discovery document or keys and
    /// then finds no key for the token; when the keys cannot be fetched now either (nothing cached, the provider down),
    /// the token was never really checked, so the caller gets 503 and keeps its session instead of a 401 that says its
    /// token is bad.
    /// </summary>
    private static async Task<AuthenticateResult> AuthenticateTokenAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (result.Failure is not (SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException)
            || http.RequestServices.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme).ConfigurationManager is not { } keys)
        {
            return result;
        }

        try
        {
            await keys.GetConfigurationAsync(http.RequestAborted).ConfigureAwait(false); // cached while the provider is reachable
            return result;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new ServiceUnavailableException("The identity provider's signing keys could not be fetched; the token could not be checked.", exception);
        }
    }

    /// <summary>What a user function's 401 without a token says: the usual wrong turns are named.</summary>
    private static string MissingTokenDetail(HttpContext http)
    {
        if (http.Request.Headers.Authorization is [{ Length: > 0 } header] && !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return "A bearer token is required: send the header as 'Authorization: Bearer <token>'.";
        }

        return http.Request.Headers.ContainsKey(ApiKeyHeader)
            ? $"A bearer token is required: this function acts for a signed-in user (an {ApiKeyHeader} key is for the service functions: usage, allocations, accounts)."
            : "A bearer token is required.";
    }

    /// <summary>
    /// 403 for a token its function's policy refused, saying which setting it misses (the claim or role the app
    /// reads, never a value of the token); an app-only token's says so, in the same words for every one.
    /// </summary>
    private IResult Forbidden(string function, string policy, ClaimsPrincipal token, AuthorizationFailure? failure)
    {
        if (failure?.FailureReasons.OfType<AppOnlyTokenRefusal>().FirstOrDefault() is { } appOnly)
        {
            LogAppOnlyTokenRefused(function, appOnly.Sign, ServiceCallerCheck.ClientOf(token) ?? "none");
            return Problems.Of(StatusCodes.Status403Forbidden, "Forbidden", AppOnlyTokenRefusal.Detail, "forbidden");
        }

        var options = auth.Value;
        var detail = BillingCaller.Unusable(token, options)
            ?? (policy == Authentication.AdminPolicy
                ? $"The token lacks the admin role: '{options.AdminRole}' in its '{options.RoleClaim}' claim ({AuthOptions.Section}:AdminRole, {AuthOptions.Section}:RoleClaim)."
                : "The token does not grant access to this resource.");
        return Problems.Of(StatusCodes.Status403Forbidden, "Forbidden", detail, "forbidden");
    }

    /// <summary>401: no credentials at all (<paramref name="missingCode"/>), or a token that failed validation (<c>invalid_token</c>).</summary>
    private static IResult Unauthorized(HttpContext http, Exception? failure, string missingCode, string missingDetail)
    {
        if (failure is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Of(StatusCodes.Status401Unauthorized, "Unauthorized", missingDetail, missingCode);
        }

        var detail = Detail(failure);
        http.Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{detail}\"";
        return Problems.Of(StatusCodes.Status401Unauthorized, "Unauthorized", detail, "invalid_token");
    }

    /// <summary>
    /// The reason a token failed validation, as the 401's detail and <c>error_description</c> (never a value of the
    /// token). A token whose parts are not base64url JSON fails being read with an <see cref="ArgumentException"/>
    /// (IDX14101/IDX14102), one without dots or with too few with a <see cref="SecurityTokenMalformedException"/>.
    /// </summary>
    private static string Detail(Exception failure) => failure switch
    {
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not valid yet (nbf).",
        SecurityTokenNoExpirationException => "The token has no expiry (exp).",
        SecurityTokenInvalidAudienceException => "The token is not meant for this API (audience).",
        SecurityTokenInvalidIssuerException => "The token was issued by an untrusted issuer.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token signature is not valid.",
        SecurityTokenMalformedException or ArgumentException => "The token is not a well-formed JWT.",
        _ => "The token is not valid.",
    };

    /// <summary>The client id names which application tried (an identifier, no secret); nothing else of the token is logged.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: refused an app-only token ({AppOnlySign}) of client {Client}; a user's token is required; answered 403")]
    private partial void LogAppOnlyTokenRefused(string function, AppOnlySign appOnlySign, string client);
}
