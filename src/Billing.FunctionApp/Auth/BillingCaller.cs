using System.Security.Claims;

namespace Billing.FunctionApp.Auth;

/// <summary>Who is calling: the billing account their token names, and whether they hold the admin role.</summary>
public sealed record BillingCaller(string AccountId, bool IsAdmin)
{
    public static BillingCaller? From(ClaimsPrincipal user, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(options);
        var accountId = user.FindFirst(options.AccountClaim)?.Value;
        if (string.IsNullOrWhiteSpace(accountId))
        {
            return null;
        }

        var isAdmin = user.FindAll(options.RoleClaim).Any(c => string.Equals(c.Value, options.AdminRole, StringComparison.Ordinal));
        return new BillingCaller(accountId, isAdmin);
    }
}
