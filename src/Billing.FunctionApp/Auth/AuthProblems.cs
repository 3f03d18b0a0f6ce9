using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Billing.FunctionApp.Auth;

/// <summary>401 and 403 as RFC 9457 problem details, with the bearer challenge header RFC 6750 asks for.</summary>
internal static class AuthProblems
{
    public static async Task WriteChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var detail = context.AuthenticateFailure switch
        {
            null => "A bearer token is required.",
            Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException => "The token has expired.",
            Microsoft.IdentityModel.Tokens.SecurityTokenInvalidAudienceException => "The token is not meant for this API (audience).",
            Microsoft.IdentityModel.Tokens.SecurityTokenInvalidIssuerException => "The token was issued by an untrusted issuer.",
            Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException or Microsoft.IdentityModel.Tokens.SecurityTokenInvalidSignatureException => "The token signature is not valid.",
            _ => "The token is not valid.",
        };
        context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
            ? "Bearer"
            : $"Bearer error=\"invalid_token\", error_description=\"{detail}\"";
        await Results.Problem(detail: detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(context.HttpContext).ConfigureAwait(false);
    }

    public static Task WriteForbiddenAsync(ForbiddenContext context) =>
        Results.Problem(detail: "The token does not grant access to this resource.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden")
            .ExecuteAsync(context.HttpContext);
}
