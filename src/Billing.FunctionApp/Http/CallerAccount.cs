using Billing.Domain.Accounts;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Http;

/// <summary>
/// The one account a request may act on: the caller's, from the token's account claim. No route, query or body value
/// ever names an account, so a user cannot read or change another account by construction.
/// </summary>
internal static class CallerAccount
{
    /// <summary>Only for functions behind a policy (every HTTP function not marked anonymous), which guarantees a valid claim.</summary>
    public static AccountId Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value;
        var caller = BillingCaller.From(context.User, options)
                     ?? throw new InvalidOperationException("The function must require the user policy: the caller has no valid account claim.");
        return caller.Account;
    }
}
