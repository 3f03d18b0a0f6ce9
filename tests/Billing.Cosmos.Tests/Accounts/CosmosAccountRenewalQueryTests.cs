using Billing.Application.Accounts;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;

namespace Billing.Cosmos.Tests.Accounts;

/// <summary>Own fixture (own database): the query spans the whole accounts container.</summary>
public sealed class CosmosAccountRenewalQueryTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly IBillingAccountStore _store = fixture.Get<IBillingAccountStore>();
    private readonly IAccountRenewalQuery _query = fixture.Get<IAccountRenewalQuery>();
    private readonly PlanCatalog _catalog = TestCatalog.Create();

    [Fact]
    public async Task Lists_live_subscriptions_past_their_renewsBy_most_recently_due_first_and_bounded()
    {
        var dueLongAgo = await SubscribedAsync(Now.AddDays(-10), SubscriptionStatus.Active);
        var dueRecently = await SubscribedAsync(Now.AddHours(-3), SubscriptionStatus.Active);
        var trialEnded = await SubscribedAsync(Now.AddDays(20), SubscriptionStatus.Trialing, trialEnd: Now.AddDays(-1));
        await SubscribedAsync(Now.AddDays(5), SubscriptionStatus.Active); // not due
        await SubscribedAsync(Now.AddDays(-3), SubscriptionStatus.Canceled); // over: renews nothing
        await _store.GetOrCreateAsync(Ids.NewAccount(), CancellationToken.None); // never subscribed

        var due = await _query.ListRenewalOverdueAsync(Now, null, 10, CancellationToken.None);
        Assert.Equal([dueRecently, trialEnded, dueLongAgo], due.Select(d => d.AccountId));
        Assert.Equal(due.Select(d => d.RenewsBy).OrderDescending(), due.Select(d => d.RenewsBy)); // the order they were listed by, read back
        foreach (var listed in due)
        {
            Assert.Equal((await _store.GetAsync(listed.AccountId, CancellationToken.None))!.RenewsBy, listed.RenewsBy);
        }

        var bounded = await _query.ListRenewalOverdueAsync(Now, null, 2, CancellationToken.None);
        Assert.Equal([dueRecently, trialEnded], bounded.Select(d => d.AccountId));

        Assert.Empty(await _query.ListRenewalOverdueAsync(Now.AddDays(-30), null, 10, CancellationToken.None));

        // Strictly before: an account due at the very instant asked about is not overdue yet.
        var recentlyBy = due[0].RenewsBy;
        Assert.DoesNotContain(dueRecently, (await _query.ListRenewalOverdueAsync(recentlyBy, null, 10, CancellationToken.None)).Select(d => d.AccountId));
        Assert.Contains(dueRecently, (await _query.ListRenewalOverdueAsync(recentlyBy.AddMilliseconds(1), null, 10, CancellationToken.None)).Select(d => d.AccountId));
    }

    [Fact]
    public async Task Pages_after_the_last_pair_list_accounts_sharing_one_renewsBy_each_once_ordered_by_account_id()
    {
        // Far after the other tests' accounts (they are all listed too, and filtered out below).
        var anchor = Now.AddDays(50);
        var tied = new List<AccountId>();
        for (var i = 0; i < 5; i++)
        {
            tied.Add(await SubscribedAsync(anchor, SubscriptionStatus.Active));
        }

        var older = await SubscribedAsync(anchor.AddTicks(-1), SubscriptionStatus.Active);
        var newer = await SubscribedAsync(anchor.AddTicks(1), SubscriptionStatus.Active);

        var all = new List<RenewalOverdue>();
        RenewalOverdue? after = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var page = await _query.ListRenewalOverdueAsync(anchor.AddDays(1), after, 2, CancellationToken.None);
            all.AddRange(page);
            if (page.Count < 2)
            {
                break;
            }

            after = page[^1];
        }

        Assert.Equal(all.Count, all.Select(d => d.AccountId).Distinct().Count()); // none listed twice
        var mine = new HashSet<AccountId>([.. tied, older, newer]);
        Assert.Equal(
            [newer, .. tied.OrderByDescending(a => a.Value, StringComparer.Ordinal), older],
            all.Where(d => mine.Contains(d.AccountId)).Select(d => d.AccountId));
        Assert.Equal(all.OrderByDescending(d => d.RenewsBy).ThenByDescending(d => d.AccountId.Value, StringComparer.Ordinal), all);
    }

    /// <summary>
    /// A listing is one page when the store answers it whole (the page size is the limit); when Cosmos DB answers in
    /// shorter pages (a cross-partition query may), the query reads on until it has the limit.
    /// </summary>
    [Fact]
    public async Task A_listing_is_one_page_and_short_pages_are_read_on_until_the_limit()
    {
        // Years after the other tests' accounts, so these three are the most recently due of a listing before the sixth year.
        var before = Now.AddYears(6);
        var first = await SubscribedAsync(Now.AddYears(5), SubscriptionStatus.Active);
        var second = await SubscribedAsync(Now.AddYears(5).AddHours(1), SubscriptionStatus.Active);
        var third = await SubscribedAsync(Now.AddYears(5).AddHours(2), SubscriptionStatus.Active);
        using var whole = new FaultyStore(fixture);
        using var paged = new FaultyStore(fixture) { QueryPageSize = 1 };

        var listed = await whole.RenewalQuery.ListRenewalOverdueAsync(before, null, 3, CancellationToken.None);
        var bounded = await paged.RenewalQuery.ListRenewalOverdueAsync(before, null, 2, CancellationToken.None);

        Assert.Equal([third, second, first], listed.Select(d => d.AccountId));
        Assert.Equal([3], whole.Queries.Select(q => q.Documents));
        Assert.Equal([third, second], bounded.Select(d => d.AccountId));
        Assert.Equal([1, 1], paged.Queries.Select(q => q.Documents));
    }

    [Fact]
    public async Task The_new_account_fields_round_trip_and_renewsBy_follows_the_subscription()
    {
        var id = await SubscribedAsync(Now.AddDays(-1), SubscriptionStatus.Active);
        var checkout = new OpenCheckout
        {
            SessionId = "cs_1",
            Url = new Uri("https://checkout.stripe.test/cs_1"),
            PlanCode = PlanCode.Parse("PRO"),
            Interval = BillingInterval.Month,
            PriceId = TestCatalog.ProMonthly,
            ExpiresAt = Now.AddHours(20),
        };
        var resolution = new DuplicateSubscriptionResolution
        {
            SubscriptionId = "sub_dup",
            KeptSubscriptionId = "sub_kept",
            Refunded = new Money(1_900, Currency.Parse("usd")),
            ResolvedAt = Now,
        };

        var written = await _store.UpdateAsync(
            id,
            a => a.RememberCheckout(checkout).RecordDuplicateResolved(resolution).ForgetStripeCustomer("cus_old"),
            CancellationToken.None);
        var read = (await _store.GetAsync(id, CancellationToken.None))!;

        Assert.Equal(checkout, read.OpenCheckout);
        Assert.Equal(resolution, Assert.Single(read.DuplicateSubscriptions));
        Assert.Equal(["cus_old"], read.FormerStripeCustomerIds);
        Assert.Equal("PRO", read.LastPaidPlan?.Value);
        Assert.Equal(written.RenewsBy, read.RenewsBy);
        Assert.Contains(id, (await _query.ListRenewalOverdueAsync(Now, null, 100, CancellationToken.None)).Select(d => d.AccountId));

        var canceled = await _store.UpdateAsync(
            id,
            a => a.ApplySubscriptionSnapshot(Snapshot(a.StripeCustomerId!, a.Subscription!.SubscriptionId, Now.AddDays(-1), SubscriptionStatus.Canceled, null, Now), _catalog, TimeSpan.Zero).Account,
            CancellationToken.None);
        Assert.Null(canceled.RenewsBy);
        Assert.DoesNotContain(id, (await _query.ListRenewalOverdueAsync(Now.AddDays(1), null, 100, CancellationToken.None)).Select(d => d.AccountId));
    }

    private async Task<AccountId> SubscribedAsync(DateTimeOffset periodEnd, SubscriptionStatus status, DateTimeOffset? trialEnd = null)
    {
        var id = Ids.NewAccount();
        await _store.GetOrCreateAsync(id, CancellationToken.None);
        var customerId = Ids.NewStripe("cus");
        var snapshot = Snapshot(customerId, Ids.NewStripe("sub"), periodEnd, status, trialEnd, Now.AddDays(-40));
        await _store.UpdateAsync(id, a => a.ApplySubscriptionSnapshot(snapshot, _catalog, TimeSpan.Zero).Account, CancellationToken.None);
        return id;
    }

    private static SubscriptionSnapshot Snapshot(string customerId, string subscriptionId, DateTimeOffset periodEnd, SubscriptionStatus status, DateTimeOffset? trialEnd, DateTimeOffset asOf) => new()
    {
        SubscriptionId = subscriptionId,
        CustomerId = customerId,
        Status = status,
        PriceId = TestCatalog.ProMonthly,
        CurrentPeriodStart = periodEnd.AddMonths(-1),
        CurrentPeriodEnd = periodEnd,
        TrialEnd = trialEnd,
        EndedAt = status.IsTerminal ? asOf : null,
        AsOf = asOf,
    };
}
