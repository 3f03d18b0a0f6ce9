using System.Security.Claims;
using Billing.Domain.Accounts;

namespace Billing.FunctionApp.Http;

/// <summary>Who is calling: the billing account their token names, and whether they hold the admin role.</summary>
public sealed record BillingCaller(string AccountId, bool IsAdmin)
{
    /// <summary>
    /// The caller named by the account claim, or null when the token has no such claim, has it with several values, or its
    /// value is not a usable account id (<see cref="Domain.Accounts.AccountId"/> rules): such a token is authenticated
    /// but grants nothing (403).
    /// </summary>
    public static BillingCaller? From(ClaimsPrincipal user, AuthOptions options)
    {
        if (Check(user, options, out var accountId) is not null)
        {
            return null;
        }

        var isAdmin = user.FindAll(options.RoleClaim).Any(c => string.Equals(c.Value, options.AdminRole, StringComparison.Ordinal));
        return new BillingCaller(accountId, isAdmin);
    }

    /// <summary>
    /// Why the token names no caller, for its 403: no account claim (<see cref="AuthOptions.AccountClaim"/>), several
    /// different values of it, or which account id rule its value breaks (never the value itself); null when it names one.
    /// </summary>
    public static string? Unusable(ClaimsPrincipal user, AuthOptions options) => Check(user, options, out _);

    /// <summary>Why the token names no caller (null when it does), and the account id it names.</summary>
    private static string? Check(ClaimsPrincipal user, AuthOptions options, out string accountId)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(options);
        var named = accountId = user.FindFirst(options.AccountClaim)?.Value ?? "";
        if (string.IsNullOrWhiteSpace(named))
        {
            return $"The token has no '{options.AccountClaim}' claim to name its billing account ({AuthOptions.Section}:AccountClaim).";
        }

        // A JWT array claim arrives as one claim per value; acting for its first would leave the choice to the token's order.
        if (user.FindAll(options.AccountClaim).Any(c => !string.Equals(c.Value, named, StringComparison.Ordinal)))
        {
            return $"The token's '{options.AccountClaim}' claim has several values; it must name exactly one billing account.";
        }

        return Domain.Accounts.AccountId.TryParse(named, out _, out var error)
            ? null
            : $"The token's '{options.AccountClaim}' claim is not a usable billing account id: {error}";
    }

    /// <summary>The account this caller acts for; callers always act for their own account.</summary>
    public AccountId Account => Domain.Accounts.AccountId.Parse(AccountId);
}
