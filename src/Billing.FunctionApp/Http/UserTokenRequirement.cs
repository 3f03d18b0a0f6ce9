using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Http;

/// <summary>
/// What <see cref="Authentication.UserPolicy"/> and <see cref="Authentication.AdminPolicy"/> require first: a token
/// issued for a signed-in user. A token issued to a client acting for itself (app-only: client credentials, a managed
/// identity; <see cref="ServiceCallerCheck.AppOnlyEvidence"/>) fails with an <see cref="AppOnlyTokenRefusal"/>, whatever
/// account claim or role it carries: its <c>sub</c> is the client, its organisation claim the whole organisation.
/// </summary>
internal sealed class UserTokenRequirement : IAuthorizationRequirement
{
    public static readonly UserTokenRequirement Instance = new();

    private UserTokenRequirement()
    {
    }
}

/// <summary>Applies <see cref="UserTokenRequirement"/> with the service policy's own reading of a token (<see cref="ServiceCallerCheck"/>).</summary>
internal sealed class UserTokenHandler(ServiceCallerCheck tokens) : AuthorizationHandler<UserTokenRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, UserTokenRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (tokens.AppOnlyEvidence(context.User) is { } sign)
        {
            context.Fail(new AppOnlyTokenRefusal(this, sign));
        }
        else
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Why <see cref="UserTokenRequirement"/> failed: its <see cref="AuthorizationFailureReason.Message"/> is the fixed <see cref="Detail"/>, never a claim.</summary>
internal sealed class AppOnlyTokenRefusal(IAuthorizationHandler handler, AppOnlySign sign) : AuthorizationFailureReason(handler, Detail)
{
    /// <summary>The 403's detail: the same for every app-only token, naming nothing the token holds.</summary>
    public const string Detail = "A signed-in user's token is required: this token was issued to an application acting for itself (app-only, such as client credentials).";

    public AppOnlySign Sign { get; } = sign;
}
