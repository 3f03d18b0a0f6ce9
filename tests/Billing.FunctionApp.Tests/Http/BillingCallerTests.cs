using System.Security.Claims;
using Billing.FunctionApp.Http;
using Microsoft.IdentityModel.JsonWebTokens;

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

    [Fact]
    public void An_account_claim_with_several_values_names_no_caller_rather_than_its_first()
    {
        // A JWT array claim ("org_id": ["org-a", "org-b"]) arrives as one claim per value: which account the user
        // acts for would be the token's order, so the token names none (403) until it names one.
        var several = new ClaimsPrincipal(new ClaimsIdentity(new JsonWebToken(new JsonWebTokenHandler().CreateToken(
            """{"org_id":["org-a","org-b"],"roles":"billing.admin"}""")).Claims, "test"));

        Assert.Null(BillingCaller.From(several, Options));
        Assert.Equal("The token's 'org_id' claim has several values; it must name exactly one billing account.", BillingCaller.Unusable(several, Options));
        Assert.Equal("org-a", BillingCaller.From(User(("org_id", "org-a"), ("org_id", "org-a")), Options)!.AccountId);
    }

    private static ClaimsPrincipal User(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "test"));
}
