using Billing.Application.Catalog;
using Billing.Application.Credits;
using Billing.Application.StripeEvents;
using Billing.Domain.Metering;
using Billing.Domain.Pricing;
using Billing.TestSupport;

namespace Billing.Application.Tests.Credits;

/// <summary>The terms of a purchase survive the trip through the session's metadata, and nothing else passes for them.</summary>
public sealed class PurchaseTermsTests
{
    [Fact]
    public void A_packs_and_an_add_ons_terms_read_back_as_written()
    {
        var pack = new PurchaseTerms { Kind = PurchaseKinds.CreditPack, Code = "CREDITS_50", Credit = new Money(5_500, Currency.Parse("eur")), ExpiresAfter = TimeSpan.FromSeconds(90.5), Price = new Money(5_000, Currency.Parse("eur")) };
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
    [InlineData(StripeMetadataKeys.GrantCredit, "0")]
    [InlineData(StripeMetadataKeys.GrantCredit, "1e3")]
    [InlineData(StripeMetadataKeys.GrantCredit, "10.00")]
    [InlineData(StripeMetadataKeys.GrantCredit, "1000000000001")] // beyond the ledger's largest grant
    [InlineData(StripeMetadataKeys.GrantCredit, null)]
    [InlineData(StripeMetadataKeys.GrantCurrency, "dollars")]
    [InlineData(StripeMetadataKeys.GrantCurrency, null)]
    [InlineData(StripeMetadataKeys.GrantExpiresAfter, "30 days")]
    [InlineData(StripeMetadataKeys.GrantExpiresAfter, "-1.00:00:00")]
    [InlineData(StripeMetadataKeys.GrantExpiresAfter, "")]
    [InlineData(StripeMetadataKeys.GrantExpiresAfter, "00:00:00")] // a lifetime is positive
    [InlineData(StripeMetadataKeys.GrantExpiresAfter, "1:00:00:00")] // not the d.hh:mm:ss this backend writes
    [InlineData(StripeMetadataKeys.GrantCredit, "+1000")] // a sign is not written
    [InlineData(StripeMetadataKeys.GrantCredit, " 1000")]
    [InlineData(StripeMetadataKeys.GrantUnits, "100")] // an add-on's term on a pack
    [InlineData(StripeMetadataKeys.PurchaseAmount, "ten")]
    [InlineData(StripeMetadataKeys.PurchaseAmount, null)]
    [InlineData(StripeMetadataKeys.PurchaseCurrency, "US$")]
    public void A_grant_value_that_does_not_read_back_makes_the_terms_unreadable_by_its_key_never_the_catalogs(string key, string? value)
    {
        var metadata = new PurchaseTerms { Kind = PurchaseKinds.CreditPack, Code = "CREDITS_10", Credit = new Money(1_000, Currency.Parse("usd")), ExpiresAfter = TimeSpan.FromDays(1), Price = new Money(1_000, Currency.Parse("usd")) }
            .ToMetadata().ToDictionary(StringComparer.Ordinal);
        if (value is null)
        {
            metadata.Remove(key);
        }
        else
        {
            metadata[key] = value;
        }

        var read = PurchaseTerms.FromMetadata(metadata);

        Assert.Equal((PurchaseKinds.CreditPack, "CREDITS_10", false, (Money?)null), (read!.Kind, read.Code, read.IsFrozen, read.Credit));
        Assert.Contains(key, read.Unreadable, StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(value))
        {
            Assert.DoesNotContain(value, read.Unreadable!, StringComparison.Ordinal); // key names only, never the value
        }
    }

    [Fact]
    public void Credit_that_is_not_a_whole_amount_of_its_currency_does_not_read_back()
    {
        var metadata = new PurchaseTerms { Kind = PurchaseKinds.CreditPack, Code = "CREDITS_ISK", Credit = new Money(1_050, Currency.Parse("isk")) }.ToMetadata(); // 10.50 ISK: Stripe charges whole krónur

        Assert.Equal(StripeMetadataKeys.GrantCredit + ", " + StripeMetadataKeys.GrantCurrency, PurchaseTerms.FromMetadata(metadata)!.Unreadable);
    }

    [Theory]
    [InlineData(StripeMetadataKeys.GrantUnits, "-1")]
    [InlineData(StripeMetadataKeys.GrantUnits, "9007199254740992")] // beyond a counter
    [InlineData(StripeMetadataKeys.GrantMeter, "Agent Runs!")]
    [InlineData(StripeMetadataKeys.GrantCredit, "100")] // a pack's term on an add-on
    public void An_add_ons_grant_value_that_does_not_read_back_makes_its_terms_unreadable(string key, string value)
    {
        var metadata = new PurchaseTerms { Kind = PurchaseKinds.AddOn, Code = "RUNS_100", Meter = MeterName.Parse("agent_runs"), Units = 100 }
            .ToMetadata().ToDictionary(StringComparer.Ordinal);
        metadata[key] = value;

        var read = PurchaseTerms.FromMetadata(metadata);

        Assert.Equal((false, (long?)null), (read!.IsFrozen, read.Units));
        Assert.Contains(key, read.Unreadable, StringComparison.Ordinal);
    }

    [Fact]
    public void A_session_started_before_terms_were_frozen_names_what_it_sold_and_leaves_the_rest_to_the_catalog()
    {
        var legacy = PurchaseTerms.FromMetadata(new Dictionary<string, string>
        {
            [StripeMetadataKeys.AccountId] = "user-1", [StripeMetadataKeys.Purchase] = PurchaseKinds.CreditPack, [StripeMetadataKeys.PurchaseCode] = "CREDITS_10",
        });

        Assert.Equal((PurchaseKinds.CreditPack, "CREDITS_10", false, (string?)null), (legacy!.Kind, legacy.Code, legacy.IsFrozen, legacy.Unreadable));
    }

    [Fact]
    public void Terms_frozen_before_the_price_was_written_still_read_back_without_one()
    {
        var metadata = new PurchaseTerms { Kind = PurchaseKinds.CreditPack, Code = "CREDITS_10", Credit = new Money(1_000, Currency.Parse("usd")) }.ToMetadata();

        var read = PurchaseTerms.FromMetadata(metadata);

        Assert.False(metadata.ContainsKey(StripeMetadataKeys.PurchaseAmount));
        Assert.Equal((true, 1_000L, (Money?)null), (read!.IsFrozen, read.Credit!.Value.MinorUnits, read.Price));
    }

    [Theory]
    [InlineData(1_000L, "usd", null)]
    [InlineData(900L, "usd", "paid 900 usd, sold at 1000 usd")]
    [InlineData(1_000L, "eur", "paid 1000 eur, sold at 1000 usd")]
    [InlineData(1_000L, "???", "paid 1000 ???, sold at 1000 usd")]
    [InlineData(null, "usd", null)] // the charge is not known: nothing to compare
    [InlineData(1_000L, null, null)]
    public void What_the_session_charged_is_compared_with_the_price_it_was_sold_at(long? amountTotal, string? currency, string? expected)
    {
        var terms = new PurchaseTerms { Kind = PurchaseKinds.CreditPack, Code = "CREDITS_10", Credit = new Money(1_000, Currency.Parse("usd")), Price = new Money(1_000, Currency.Parse("usd")) };

        Assert.Equal(expected, terms.PaidOtherThan(amountTotal, currency));
        Assert.Null((terms with { Price = null }).PaidOtherThan(900, "usd")); // frozen before the price was written: not knowable
    }

    [Fact]
    public void The_largest_credit_and_units_read_back()
    {
        var pack = new PurchaseTerms { Kind = PurchaseKinds.CreditPack, Code = "CREDITS_MAX", Credit = new Money(Domain.Credits.CreditOperation.MaxAmount, Currency.Parse("usd")) };
        var addOn = new PurchaseTerms { Kind = PurchaseKinds.AddOn, Code = "RUNS_MAX", Meter = MeterName.Parse("agent_runs"), Units = UsageCounters.MaxCount };

        Assert.Equal(pack, PurchaseTerms.FromMetadata(pack.ToMetadata()));
        Assert.Equal(addOn, PurchaseTerms.FromMetadata(addOn.ToMetadata()));
    }

    [Fact]
    public void A_price_without_any_grant_value_is_not_a_legacy_session_but_unreadable()
    {
        var read = PurchaseTerms.FromMetadata(new Dictionary<string, string>
        {
            [StripeMetadataKeys.Purchase] = PurchaseKinds.CreditPack, [StripeMetadataKeys.PurchaseCode] = "CREDITS_10",
            [StripeMetadataKeys.PurchaseAmount] = "1000", [StripeMetadataKeys.PurchaseCurrency] = "usd",
        });

        Assert.Equal(StripeMetadataKeys.GrantCredit + ", " + StripeMetadataKeys.GrantCurrency, read!.Unreadable);
    }

    [Fact]
    public void Grant_values_on_a_kind_this_backend_does_not_sell_are_unreadable()
    {
        var read = PurchaseTerms.FromMetadata(new Dictionary<string, string> { [StripeMetadataKeys.Purchase] = "gift_card", [StripeMetadataKeys.PurchaseCode] = "X", [StripeMetadataKeys.GrantCredit] = "100", [StripeMetadataKeys.GrantCurrency] = "usd" });

        Assert.Contains(StripeMetadataKeys.Purchase, read!.Unreadable, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lifetime_paid_for_at_a_time_ahead_of_this_clock_runs_from_now()
    {
        var terms = new PurchaseTerms { Kind = PurchaseKinds.CreditPack, Code = "CREDITS_30D", Credit = new Money(1_000, Currency.Parse("usd")), ExpiresAfter = TimeSpan.FromDays(30) };
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(now + TimeSpan.FromDays(30), terms.ExpiresAt(now + TimeSpan.FromMinutes(5), now)); // Stripe's clock ahead of ours
    }

    [Fact]
    public void Unreadable_terms_resolve_to_nothing_though_the_catalog_sells_their_code()
    {
        var options = new PurchaseOptions();
        options.CreditPacks.Add(new CreditPackOptions { Code = "CREDITS_10", DisplayName = "$10", PriceId = "price_credits_10", Amount = 1_000, Currency = "usd", Credit = 1_000 });
        var catalog = PurchaseCatalog.Create(options, TestCatalog.Options());
        var unreadable = new PurchaseTerms { Kind = PurchaseKinds.CreditPack, Code = "CREDITS_10", Unreadable = StripeMetadataKeys.GrantCredit };

        Assert.Null(unreadable.Resolve(catalog));
        Assert.NotNull((unreadable with { Unreadable = null }).Resolve(catalog)); // a legacy session: the catalog decides
    }

    [Fact]
    public void An_add_on_sold_before_its_terms_were_written_is_granted_as_the_catalog_sells_it_now_and_not_at_all_once_no_longer_sold()
    {
        var options = new PurchaseOptions();
        options.AddOns.Add(new AddOnOptions { Code = "RUNS_100", DisplayName = "100 runs", PriceId = "price_runs_100", Amount = 500, Currency = "usd", Meter = "agent_runs", Units = 100, ExpiresAfter = TimeSpan.FromDays(30) });
        var catalog = PurchaseCatalog.Create(options, TestCatalog.Options());
        var legacy = new PurchaseTerms { Kind = PurchaseKinds.AddOn, Code = "RUNS_100" };
        var meterOnly = legacy with { Meter = MeterName.Parse("agent_runs") }; // the units missing: not the terms of the sale

        var resolved = legacy.Resolve(catalog);

        Assert.False(meterOnly.IsFrozen);
        Assert.Equal(resolved, meterOnly.Resolve(catalog));
        Assert.Equal((PurchaseKinds.AddOn, "RUNS_100", MeterName.Parse("agent_runs"), 100L, TimeSpan.FromDays(30), new Money(500, Currency.Parse("usd"))), (resolved!.Kind, resolved.Code, resolved.Meter, resolved.Units, resolved.ExpiresAfter, resolved.Price));
        Assert.Null((legacy with { Code = "RUNS_500" }).Resolve(catalog)); // no longer sold
        Assert.Null((legacy with { Kind = "gift_card" }).Resolve(catalog));
    }

    [Fact]
    public void Metadata_that_names_no_purchase_has_no_terms()
    {
        Assert.Null(PurchaseTerms.FromMetadata(null));
        Assert.Null(PurchaseTerms.FromMetadata(new Dictionary<string, string> { [StripeMetadataKeys.Purchase] = PurchaseKinds.CreditPack }));
        Assert.False(PurchaseTerms.FromMetadata(new Dictionary<string, string> { [StripeMetadataKeys.Purchase] = "gift_card", [StripeMetadataKeys.PurchaseCode] = "X", [StripeMetadataKeys.GrantCredit] = "100", [StripeMetadataKeys.GrantCurrency] = "usd" })!.IsFrozen);
    }
}
