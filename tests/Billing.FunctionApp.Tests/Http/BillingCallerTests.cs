using System.Security.Claims;
using Billing.FunctionApp.Http;

namespace Billing.FunctionApp.Tests.Http;

public sealed class BillingCallerTests
{
    private static readonly AuthOptions Options = new() { AccountClaim = "org_id" };

    [Fact]
    public void The_account_comes_from_the_configured_claim()
    {
        var caller = BillingCaller.From(User(("org_id", "org-7"), ("sub", "user-1"), ("roles", "billing.admin")), Options);

        Assert.Equal("org-7", caller!.AccountId);
        Assert.Equal("org-7", caller.Account.Value);
        Assert.True(caller.IsAdmin);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a/b")]
    [InlineData("a?b")]
    [InlineData(" padded")]
    public void A_missing_or_unusable_account_claim_names_no_caller(string? value)
    {
        var claims = value is null ? new[] { ("sub", "user-1") } : new[] { ("org_id", value) };

        Assert.Null(BillingCaller.From(User(claims), Options));
        var why = BillingCaller.Unusable(User(claims), Options);
        Assert.StartsWith(value is null || value.Trim().Length == 0 ? "The token has no 'org_id' claim" : "The token's 'org_id' claim is not a usable billing account id: ", why, StringComparison.Ordinal);
        Assert.DoesNotContain(value?.Trim() is { Length: > 1 } shown ? shown : "\u0000", why, StringComparison.Ordinal); // never the value
    }

    [Fact]
    public void An_account_id_longer_than_allowed_names_no_caller() =>
        Assert.Null(BillingCaller.From(User(("org_id", new string('a', 129))), Options));

    private static ClaimsPrincipal User(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "test"));
}
