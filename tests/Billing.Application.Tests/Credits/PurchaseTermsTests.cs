using Billing.Application.Credits;
using Billing.Application.StripeEvents;
using Billing.Domain.Metering;
using Billing.Domain.Pricing;

namespace Billing.Application.Tests.Credits;

/// <summary>The terms of a purchase survive the trip through the session's metadata, and nothing else passes for them.</summary>
public sealed class PurchaseTermsTests
{
    [Fact]
    public void A_packs_and_an_add_ons_terms_read_back_as_written()
    {
        var pack = new PurchaseTerms { Kind = PurchaseKinds.CreditPack, Code = "CREDITS_50", Credit = new Money(5_500, Currency.Parse("eur")), ExpiresAfter = TimeSpan.FromSeconds(90.5) };
        var addOn = new PurchaseTerms { Kind = PurchaseKinds.AddOn, Code = "RUNS_100", Meter = MeterName.Parse("agent_runs"), Units = 100 };
        var forGood = addOn with { Code = "PROJECTS_5", Meter = MeterName.Parse("projects"), Units = 5, ExpiresAfter = TimeSpan.FromDays(30) };

        foreach (var terms in new[] { pack, addOn, forGood })
        {
            var read = PurchaseTerms.FromMetadata(terms.ToMetadata());
            Assert.Equal(terms, read);
            Assert.True(read!.IsFrozen);
        }
    }

    [Theory]
    [InlineData(StripeMetadataKeys.GrantCredit, "-5")]
    [InlineData(StripeMetadataKeys.GrantCredit, "1e3")]
    [InlineData(StripeMetadataKeys.GrantCurrency, "dollars")]
    [InlineData(StripeMetadataKeys.GrantExpiresAfter, "30 days")]
    [InlineData(StripeMetadataKeys.GrantExpiresAfter, "-1.00:00:00")]
    public void A_grant_value_that_does_not_read_back_leaves_the_terms_to_the_catalog(string key, string value)
    {
        var metadata = new PurchaseTerms { Kind = PurchaseKinds.CreditPack, Code = "CREDITS_10", Credit = new Money(1_000, Currency.Parse("usd")), ExpiresAfter = TimeSpan.FromDays(1) }
            .ToMetadata().ToDictionary(StringComparer.Ordinal);
        metadata[key] = value;

        var read = PurchaseTerms.FromMetadata(metadata);

        Assert.Equal((PurchaseKinds.CreditPack, "CREDITS_10", false), (read!.Kind, read.Code, read.IsFrozen));
    }

    [Fact]
    public void Metadata_that_names_no_purchase_has_no_terms()
    {
        Assert.Null(PurchaseTerms.FromMetadata(null));
        Assert.Null(PurchaseTerms.FromMetadata(new Dictionary<string, string> { [StripeMetadataKeys.Purchase] = PurchaseKinds.CreditPack }));
        Assert.False(PurchaseTerms.FromMetadata(new Dictionary<string, string> { [StripeMetadataKeys.Purchase] = "gift_card", [StripeMetadataKeys.PurchaseCode] = "X", [StripeMetadataKeys.GrantCredit] = "100", [StripeMetadataKeys.GrantCurrency] = "usd" })!.IsFrozen);
    }
}
