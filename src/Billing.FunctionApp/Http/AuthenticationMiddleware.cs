using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.IdentityModel.Tokens;

namespace Billing.FunctionApp.Http;

/// <summary>
/// Worker middleware in front of every HTTP function: validates the bearer token and applies the function's policy
/// (<see cref="Authentication.UserPolicy"/> unless the method says <c>[AllowAnonymous]</c> or names another policy with
/// <c>[Authorize]</c>). A missing or bad token is a 401 with <c>WWW-Authenticate</c>, a token that grants nothing here
/// a 403, both as problem details; the function never runs then. Queue and timer invocations pass through.
/// </summary>
internal sealed class AuthenticationMiddleware(IAuthorizationService authorization) : IFunctionsWorkerMiddleware
{
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

        var result = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var detail = Detail(result.Failure);
            http.Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer" : $"Bearer error=\"invalid_token\", error_description=\"{detail}\"";
            context.GetInvocationResult().Value = Problems.Of(StatusCodes.Status401Unauthorized, "Unauthorized", detail, result.Failure is null ? "token_required" : "invalid_token");
            return;
        }

        http.User = result.Principal;
        var policy = FunctionMethods.Attribute<AuthorizeAttribute>(context)?.Policy ?? Authentication.UserPolicy;
        var allowed = await authorization.AuthorizeAsync(result.Principal, http, policy).ConfigureAwait(false);
        if (!allowed.Succeeded)
        {
            context.GetInvocationResult().Value = Problems.Of(StatusCodes.Status403Forbidden, "Forbidden", "The token does not grant access to this resource.", "forbidden");
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static string Detail(Exception? failure) => failure switch
    {
        null => "A bearer token is required.",
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenInvalidAudienceException => "The token is not meant for this API (audience).",
        SecurityTokenInvalidIssuerException => "The token was issued by an untrusted issuer.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token signature is not valid.",
        _ => "The token is not valid.",
    };
}
