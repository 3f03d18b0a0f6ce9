using Billing.Application.Invoicing;
using Billing.Application.Subscriptions;
using Billing.Application.Tests.Fakes;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;
using static Billing.Application.Tests.Fakes.UsageTestBed;

namespace Billing.Application.Tests.Invoicing;

/// <summary>
/// What the customer is shown equals what they are billed: for one account and usage period, (a) the usage view's
/// priced overage per meter (<c>GET /api/billing/usage?period=current</c>), its included units as the entitlements give
/// them, and (b) the upcoming invoice's lines, credit and amount due, read a minute before the period closes, once no
/// more usage can come, equal (c) the lines and credit of the invoice the job makes after the settle time, (d) the Stripe
/// invoice's items and total, and (e) the usage view of the month the period started in; every record's answer is the
/// usage view's meter at that moment. Seeded random periods of a PRO subscription (monthly, in a Stripe trial of PRO, or
/// an annual one's monthly slice), in usd, yen (whole units), ISK (charged in whole units only) or KWD (its last decimal
/// 0), with usage, plan changes (applied as Stripe's webhooks are; yearly prices for an annual one) between PRO, an ENTERPRISE plan with other prices and
/// quotas and BASIC (hard limits), past_due and back, add-ons on agent runs that expire or are refunded, credit packs
/// expiring before, at and after the close or refunded, a cancellation at the period's end, and (every 7th seed) an
/// earlier period with overage whose job had not run when the estimate was read, whose invoice takes its credit first.
/// The differences docs/api.md allows once no usage can come ("When the estimate and the invoice differ"): credit that
/// expires between the read and the earlier period's job (the estimate has that invoice take the credit expiring soonest,
/// which its job, run later, can no longer take, so it takes credit the estimate left for this period); and a grace
/// period that ended before the close, when the current view and the estimate show the free plan's month and the
/// invoice bills what the view of the month the subscription period started in showed.
/// </summary>
public sealed class ShownAsBilledTests
{
    private const string EnterpriseMonthly = "price_enterprise_month";
    private const string ProYearly = "price_pro_year";
    private const string EnterpriseYearly = "price_enterprise_year";

    public static TheoryData<int, string, bool> Seeds()
    {
        var data = new TheoryData<int, string, bool>();
        for (var seed = 1; seed <= 600; seed++)
        {
            data.Add(seed, (seed % 4) switch { 0 => "usd", 1 => "jpy", 2 => "isk", _ => "kwd" }, seed % 3 == 0);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task The_last_estimate_of_a_period_is_what_its_invoice_and_Stripe_bill(int seed, string currency, bool annual)
    {
        var scenario = new Scenario(seed, currency, annual);
        await scenario.RunAsync();
    }

    /// <summary>The test catalog with PRO (and a yearly PRO price) and ENTERPRISE billing overage in <paramref name="currency"/>, its amounts in the currency's chargeable steps (ISK x100, KWD x10).</summary>
    internal static PlanCatalogOptions Catalog(string currency)
    {
        var scale = Billing.Domain.Pricing.Currency.Parse(currency).MinorUnitStep;
        var options = TestCatalog.InvoicingProIn(currency);
        options.Plan("PRO").Prices.Year = ProYearly;

        var enterprise = new PlanOptions { Code = "ENTERPRISE", DisplayName = "Enterprise", Prices = { Month = EnterpriseMonthly, Year = EnterpriseYearly }, Currency = currency };
        enterprise.Meters["agent_runs"] = new MeterOptions { Quota = 1_500, Enforcement = MeterEnforcement.Overage, Overage = new OveragePriceOptions { UnitAmount = 2 * scale } };
        enterprise.Meters["tokens"] = new MeterOptions { Quota = 150_000, Enforcement = MeterEnforcement.Overage, Overage = new OveragePriceOptions { UnitAmount = 1 * scale } };
        enterprise.Meters["projects"] = new MeterOptions { Quota = 50 };
        options.Plans.Add(enterprise.ListingEveryMeter(options));
        return options;
    }

    private sealed class Scenario(int seed, string currency, bool annual)
    {
        private readonly Random _random = new(seed);
        private readonly InvoicingTestBed _bed = new(Catalog(currency));
        private readonly List<string> _log = [];
        private readonly List<(string Id, DateTimeOffset? ExpiresAt)> _grants = [];
        private readonly List<string> _addOns = [];
        private AccountId _id;
        private string _subscriptionId = "";
        private (DateTimeOffset Start, DateTimeOffset End) _billing;
        private string _price = TestCatalog.ProMonthly;
        private SubscriptionStatus _status = SubscriptionStatus.Active;
        private bool _cancelAtPeriodEnd;

        public async Task RunAsync()
        {
            var now = _bed.Time.GetUtcNow();
            // Some monthly subscriptions have an earlier period with overage whose job has not run (stalled, or after an
            // outage): its invoice takes its credit first, as the estimate must show.
            var earlier = !annual && seed % 7 == 0;
            _billing = annual ? (now.AddDays(-3), now.AddDays(-3).AddYears(1)) : earlier ? (now.AddDays(-29), now.AddDays(1)) : (now.AddDays(-3), now.AddDays(27));
            _price = annual ? ProYearly : TestCatalog.ProMonthly;
            // Some monthly subscriptions are in a Stripe trial of PRO for the period (usage beyond its quota is its overage)
            _status = !annual && seed % 5 == 0 ? SubscriptionStatus.Trialing : SubscriptionStatus.Active;
            var (id, _) = _bed.Usage.Subscribe(_price, _status, period: _billing);
            _id = id;
            var account = (await _bed.Usage.Accounts.GetAsync(id, CancellationToken.None))!;
            _subscriptionId = account.Subscription!.SubscriptionId;
            _bed.StripeSubscriptions.Subscriptions.Add(_subscriptionId, new FakeStripeSubscription
            {
                Id = _subscriptionId, CustomerId = account.Subscription.CustomerId, Created = _billing.Start, PriceId = _price,
                PeriodStart = _billing.Start, PeriodEnd = _billing.End, Status = _status,
                TrialStart = _status == SubscriptionStatus.Trialing ? _billing.Start : null, TrialEnd = _status == SubscriptionStatus.Trialing ? _billing.End : null,
            });

            InvoiceJob? earlierJob = null;
            if (earlier)
            {
                var first = _bed.Usage.Entitlements.Evaluate(account, now).Period;
                await RecordAsync(AgentRuns, _random.Next(900, 2_500));
                if (_random.Next(2) == 0)
                {
                    await StepAsync(first); // a credit pack, an add-on, more usage...
                }

                // The period closes and Stripe renews the subscription; its job does not run yet
                _bed.Time.SetUtcNow(first.End.AddHours(1));
                var fake = _bed.StripeSubscriptions.Subscriptions[_subscriptionId];
                (fake.PeriodStart, fake.PeriodEnd) = _billing = (first.End, first.End.AddMonths(1));
                await ChangePlanAsync(_price, _status == SubscriptionStatus.Trialing ? SubscriptionStatus.Active : _status, cancelAtPeriodEnd: false);
                earlierJob = new InvoiceJob(_id, first.Key);
                account = (await _bed.Usage.Accounts.GetAsync(id, CancellationToken.None))!;
                now = _bed.Time.GetUtcNow();
            }

            var period = _bed.Usage.Entitlements.Evaluate(account, now).Period; // the subscription period, or the annual one's monthly slice
            var last = period.End.AddHours(-2);
            var steps = _random.Next(4, 14);
            for (var step = 0; step < steps; step++)
            {
                var remaining = last - _bed.Time.GetUtcNow();
                _bed.Time.Advance(TimeSpan.FromMinutes(_random.Next(1, Math.Max(2, (int)(remaining.TotalMinutes / (steps - step))))));
                await StepAsync(period);
            }

            // A minute before the close, no usage to come: what the customer is shown.
            _bed.Time.SetUtcNow(period.End.AddMinutes(-1));
            var shownAt = _bed.Time.GetUtcNow();
            var view = Assert.Single((await _bed.Usage.Report.GetAsync(_id, UsageReport.Current, CancellationToken.None)).AssertSucceeded().Periods);
            var upcoming = await _bed.Invoices.UpcomingAsync(_id, CancellationToken.None);
            var entitled = await _bed.Usage.Overview.GetAsync(_id, CancellationToken.None);
            var book = await _bed.Credits.ReadAsync(_id, CancellationToken.None);
            var monthShown = (await _bed.Usage.Report.GetAsync(_id, period.Start.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None)).AssertSucceeded();
            if (earlierJob is not null)
            {
                // The earlier period's job runs now, after the estimate and before the close: it spends what the estimate left it
                _bed.Time.Advance(TimeSpan.FromSeconds(30));
                await _bed.DeliverAsync(earlierJob);
            }

            // Credit expiring between the read and the earlier job (the estimate has it paying the earlier invoice first)
            var expiringBeforeTheEarlierJob = earlierJob is null ? 0 : book.Grants.Where(g => g.Remaining > 0 && g.ExpiresAt is { } at && at > shownAt && at <= _bed.Time.GetUtcNow()).Sum(g => g.Remaining);


            // The period closes; Stripe renews the subscription (or ends it); the job runs after the settle time.
            _bed.Time.SetUtcNow(period.End.AddHours(2));
            if (period.End == _billing.End)
            {
                var fake = _bed.StripeSubscriptions.Subscriptions[_subscriptionId];
                if (_cancelAtPeriodEnd)
                {
                    fake.Status = SubscriptionStatus.Canceled;
                    fake.EndedAt = period.End;
                }
                else
                {
                    fake.PeriodStart = period.End;
                    fake.PeriodEnd = period.End.AddMonths(1);
                }
            }

            var run = await _bed.DeliverAsync(new InvoiceJob(_id, period.Key));
            var context = $"seed {seed} ({currency}{(annual ? ", annual" : "")}): {string.Join("; ", _log)}";

            var billedLines = (run?.Lines ?? []).Select(l => (l.Meter.Value, l.OverageUnits, l.Amount)).OrderBy(l => l.Value).ToList();
            if (view.Period != period)
            {
                // The grace period ended before the close: the account is on the free plan's calendar month, which is what
                // the current view and the estimate show (nothing to bill). The subscription period is invoiced when it
                // closes, as the view of the month it started in showed it (docs/api.md, upcoming invoice).
                Assert.True(_status == SubscriptionStatus.PastDue && view.Period == upcoming.Charges.Period && upcoming.Charges.IsZero && view.Plan.Kind == PlanKind.Free, $"view of {view.Period.Key}, not {period.Key}; {context}");
                var shownInMonth = (monthShown.Periods.SingleOrDefault(p => p.Period == period)?.Meters ?? []).Where(m => m.OverageCharge is { MinorUnits: > 0 }).Select(m => (m.Meter.Value, m.OverageUnits, m.OverageCharge!.Value.MinorUnits)).OrderBy(l => l.Value).ToList();
                Assert.True(shownInMonth.SequenceEqual(billedLines), $"month view {Show(shownInMonth)} != invoice {Show(billedLines)}; {context}");
                return;
            }

            // The entitlements give each overage meter the usage view's included units
            foreach (var meter in view.Meters.Where(m => m.Enforcement == MeterEnforcement.Overage))
            {
                var limit = entitled.Meters.Single(m => m.Policy.Meter == meter.Meter).Policy.Quota;
                Assert.True(limit == meter.Quota, $"entitlements limit {limit} != view {meter.Quota} ({meter.Meter}); {context}");
            }

            // (a) = (b): the view's overage per meter is the estimate's lines
            Assert.True(period == upcoming.Charges.Period, context);
            var shownLines = view.Meters.Where(m => m.OverageCharge is { MinorUnits: > 0 }).Select(m => (m.Meter.Value, m.OverageUnits, m.OverageCharge!.Value.MinorUnits)).OrderBy(l => l.Value).ToList();
            var estimatedLines = upcoming.Charges.Lines.Select(l => (l.Meter.Value, l.OverageUnits, l.Amount.MinorUnits)).OrderBy(l => l.Value).ToList();
            Assert.True(shownLines.SequenceEqual(estimatedLines), $"view {Show(shownLines)} != estimate {Show(estimatedLines)}; {context}");

            // (b) = (c): the estimate is the invoice, credit apart from what expired by the close
            Assert.True(estimatedLines.SequenceEqual(billedLines), $"estimate {Show(estimatedLines)} != invoice {Show(billedLines)}; {context}");
            Assert.True(upcoming.Charges.Total.MinorUnits == (run?.Total ?? 0), $"estimate total {upcoming.Charges.Total.MinorUnits} != run total {run?.Total}; {context}");
            var creditApplied = run?.CreditApplied ?? 0;
            if (expiringBeforeTheEarlierJob == 0)
            {
                Assert.True(upcoming.CreditApplicable == creditApplied, $"estimate credit {upcoming.CreditApplicable} != spent {creditApplied}; {context}");
            }
            else
            {
                Assert.True(creditApplied <= upcoming.CreditApplicable && creditApplied >= upcoming.CreditApplicable - expiringBeforeTheEarlierJob, $"estimate credit {upcoming.CreditApplicable}, spent {creditApplied}, {expiringBeforeTheEarlierJob} expiring before the earlier job; {context}");
            }

            // (c) = (d): Stripe's invoice carries the lines and the credit, and totals the amount due
            var invoices = _bed.Stripe.InvoicesFor(new InvoiceJob(_id, period.Key).RunId);
            if (run is null || run.AmountDue == 0)
            {
                Assert.True(invoices.Count == 0, $"an invoice for nothing due; {context}");
            }
            else
            {
                var invoice = Assert.Single(invoices);
                Assert.Equal((currency, "open", run.AmountDue), (invoice.Currency, invoice.Status, invoice.Total));
                Assert.True(run.AmountDue == upcoming.AmountDue + (upcoming.CreditApplicable - creditApplied), context);
                var items = invoice.Items.Where(i => i.Metadata[FakeStripeInvoicing.MeterMetadata] != InvoiceRun.CreditLineKey)
                    .Select(i => (i.Metadata[FakeStripeInvoicing.MeterMetadata], i.Amount)).OrderBy(i => i.Item1).ToList();
                Assert.Equal(billedLines.Select(l => (l.Value, l.Amount)), items);
                Assert.Equal(creditApplied == 0 ? [] : [-creditApplied], invoice.Items.Where(i => i.Metadata[FakeStripeInvoicing.MeterMetadata] == InvoiceRun.CreditLineKey).Select(i => i.Amount));
            }

            // (e): the month's view of the closed period shows what its invoice billed
            var month = (await _bed.Usage.Report.GetAsync(_id, period.Start.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None)).AssertSucceeded();
            if (month.Periods.SingleOrDefault(p => p.Period == period) is { } past)
            {
                var pastLines = past.Meters.Where(m => m.OverageCharge is { MinorUnits: > 0 }).Select(m => (m.Meter.Value, m.OverageUnits, m.OverageCharge!.Value.MinorUnits)).OrderBy(l => l.Value).ToList();
                Assert.True(pastLines.SequenceEqual(billedLines), $"month view {Show(pastLines)} != invoice {Show(billedLines)}; {context}");
            }
        }

        private async Task StepAsync(UsagePeriod period)
        {
            var now = _bed.Time.GetUtcNow();
            var scale = Billing.Domain.Pricing.Currency.Parse(currency).MinorUnitStep;
            switch (_random.Next(12))
            {
                case 0 or 1 or 2:
                    await RecordAsync(AgentRuns, _random.Next(1, 900));
                    break;
                case 3 or 4:
                    await RecordAsync(Tokens, _random.Next(1, 70_000));
                    break;
                case 5:
                {
                    // A plan change within the period (an upgrade, a downgrade, BASIC's hard limits), or past_due and back
                    // (an annual subscription changes to another yearly price, which keeps its billing period and slices)
                    var (price, status) = _random.Next(5) switch
                    {
                        0 => (annual ? ProYearly : TestCatalog.ProMonthly, SubscriptionStatus.Active),
                        1 => (annual ? EnterpriseYearly : EnterpriseMonthly, SubscriptionStatus.Active),
                        2 => (annual ? TestCatalog.BasicYearly : TestCatalog.BasicMonthly, SubscriptionStatus.Active),
                        3 => (_price, SubscriptionStatus.PastDue),
                        _ => (_price, SubscriptionStatus.Active),
                    };
                    await ChangePlanAsync(price, status, _cancelAtPeriodEnd);
                    break;
                }

                case 6:
                {
                    var units = _random.Next(100, 700);
                    TimeSpan? lasting = _random.Next(3) switch { 0 => null, 1 => TimeSpan.FromDays(60), _ => TimeSpan.FromHours(_random.Next(1, 24 * 20)) };
                    var grant = "addon" + _addOns.Count;
                    var addOn = new MeterAddOn { GrantId = "cs:" + grant, Code = "EXTRA_AGENT_RUNS", Meter = AgentRuns, Units = units, GrantedAt = now, ExpiresAt = now + lasting, PaymentIntentId = "pi_" + grant };
                    var granted = await _bed.Usage.Accounts.UpdateAsync(_id, a => a.GrantAddOn(addOn), CancellationToken.None);
                    await _bed.Usage.IncludedUnits.RefreshAsync(granted, AgentRuns, now, CancellationToken.None);
                    _addOns.Add(grant);
                    _log.Add($"{now:MM-dd HH:mm} add-on {grant} +{units} until {addOn.ExpiresAt:MM-dd HH:mm}");
                    break;
                }

                case 7 when _addOns.Count > 0:
                {
                    var grant = _addOns[_random.Next(_addOns.Count)];
                    var revoked = await _bed.Usage.Accounts.UpdateAsync(_id, a => a.RevokeAddOn("pi_" + grant, now), CancellationToken.None);
                    await _bed.Usage.IncludedUnits.RefreshAsync(revoked, AgentRuns, now, CancellationToken.None);
                    _log.Add($"{now:MM-dd HH:mm} add-on {grant} refunded");
                    break;
                }

                case 8 or 9:
                {
                    var amount = _random.Next(1, 40) * 100L * scale;
                    DateTimeOffset? expires = _random.Next(6) switch
                    {
                        0 or 1 => null,
                        2 => now.AddDays(_random.Next(1, 40)),
                        3 => period.End,
                        4 => period.End.AddSeconds(-30),
                        _ => period.End.AddMinutes(_random.Next(1, 180)),
                    };
                    var session = $"s{seed}-{_grants.Count}";
                    await _bed.GrantAsync(_id, session, amount, expires, currency);
                    _grants.Add(("cs:" + session, expires));
                    _log.Add($"{now:MM-dd HH:mm} credit {amount} until {expires:MM-dd HH:mm:ss}");
                    break;
                }

                case 10 when _grants.Count > 0:
                {
                    var (grant, _) = _grants[_random.Next(_grants.Count)];
                    var session = grant["cs:".Length..];
                    await _bed.Credits.PostAsync(_id, CreditOperation.Reverse("pi_" + session, "ch_" + session), CancellationToken.None);
                    _log.Add($"{now:MM-dd HH:mm} credit {grant} refunded");
                    break;
                }

                case 11 when period.End == _billing.End:
                    await ChangePlanAsync(_price, _status, cancelAtPeriodEnd: true);
                    break;

                default:
                    await RecordAsync(AgentRuns, _random.Next(1, 300));
                    break;
            }
        }

        private async Task RecordAsync(MeterName meter, long quantity)
        {
            var outcome = await _bed.Usage.RecordAsync(_id, meter, quantity);
            _log.Add($"{_bed.Time.GetUtcNow():MM-dd HH:mm} {meter} {quantity}: {outcome.GetType().Name}");
            if (outcome is Billing.Application.Outcomes.Succeeded<RecordedUsage> { Value: var recorded })
            {
                // The record's answer is the usage view's meter at that moment
                var shown = Assert.Single((await _bed.Usage.Report.GetAsync(_id, UsageReport.Current, CancellationToken.None)).AssertSucceeded().Periods).Meters.Single(m => m.Meter == meter);
                Assert.True(
                    (recorded.Used, recorded.Limit, recorded.Remaining, recorded.Overage) == (shown.Used, shown.Quota, shown.Remaining, shown.OverageUnits),
                    $"record answered {(recorded.Used, recorded.Limit, recorded.Remaining, recorded.Overage)}, view {(shown.Used, shown.Quota, shown.Remaining, shown.OverageUnits)}; seed {seed}: {string.Join("; ", _log)}");
            }
        }

        /// <summary>Stripe changes the subscription and its webhook is applied.</summary>
        private async Task ChangePlanAsync(string price, SubscriptionStatus status, bool cancelAtPeriodEnd)
        {
            _bed.Time.Advance(TimeSpan.FromMinutes(1)); // a later read than the last one applied, beyond the clock skew
            (_price, _status, _cancelAtPeriodEnd) = (price, status, cancelAtPeriodEnd);
            var fake = _bed.StripeSubscriptions.Subscriptions[_subscriptionId];
            fake.PriceId = price;
            fake.Status = status;
            fake.CancelAtPeriodEnd = cancelAtPeriodEnd;
            var applied = await _bed.Webhooks.ApplyAsync(_id, fake.ToSnapshot(_bed.Time.GetUtcNow()), CancellationToken.None);
            Assert.Contains(applied.Outcome, (SubscriptionSnapshotOutcome[])[SubscriptionSnapshotOutcome.Applied, SubscriptionSnapshotOutcome.Duplicate]);
            _log.Add($"{_bed.Time.GetUtcNow():MM-dd HH:mm} {price} {status}{(cancelAtPeriodEnd ? " cancel at period end" : "")}");
        }

        private static string Show(IEnumerable<(string Meter, long Units, long Amount)> lines) =>
            "[" + string.Join(", ", lines.Select(l => $"{l.Meter} {l.Units} = {l.Amount}")) + "]";
    }
}
