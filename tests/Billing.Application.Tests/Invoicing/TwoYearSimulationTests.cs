using Billing.Application.Invoicing;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;

namespace Billing.Application.Tests.Invoicing;

/// <summary>
/// A seeded, randomised run of the usage and invoicing services over two simulated years: free accounts (calendar
/// months, hard limits) and PRO subscribers (monthly periods anchored on the 28th to the 31st, renewed as Stripe would,
/// overage meters), usage recorded every day, the daily sweep and the invoice jobs run as the timer and queue would,
/// with days of downtime. After every day: hard limits hold; every closed period with overage is invoiced exactly once,
/// for the amount worked out here from the recorded usage and the catalog's rule, in usd, as the upcoming invoice said
/// on its last day; periods of an account follow each other without gap or overlap.
/// </summary>
public sealed class TwoYearSimulationTests
{
    public static TheoryData<int, int, int, int> Starts => new()
    {
        { 1, 2027, 1, 31 },
        { 2, 2028, 2, 29 },
        { 3, 2027, 3, 31 },
    };

    [Theory]
    [MemberData(nameof(Starts))]
    public async Task Two_years_of_usage_are_invoiced_once_each_for_the_documented_amount(int seed, int year, int month, int day)
    {
        var simulation = new Simulation(seed, new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero));
        await simulation.RunAsync(days: 730, accounts: 30);
    }

    private sealed class Simulation(int seed, DateTimeOffset start)
    {
        private readonly Random _random = new(seed);
        private readonly InvoicingTestBed _bed = CreateBed(start);
        private readonly List<SimAccount> _accounts = [];
        private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

        private static InvoicingTestBed CreateBed(DateTimeOffset start)
        {
            var bed = new InvoicingTestBed();
            bed.Time.SetUtcNow(start);
            return bed;
        }

        public async Task RunAsync(int days, int accounts)
        {
            for (var i = 0; i < accounts; i++)
            {
                _accounts.Add(Open(i));
            }

            for (var d = 0; d < days; d++)
            {
                var dayStart = start.AddDays(d);

                // 02:00 the timer (unless the app is down that day), then the queue delivers the jobs.
                _bed.Time.SetUtcNow(dayStart.AddHours(2));
                Renew(webhookLate: _random.Next(3) == 0);
                // Down on ~1 day in 10, and for 45 days in a row from day 300 (longer than the 35-day look-back).
                if (_random.Next(10) != 0 && d is not (>= 300 and < 345))
                {
                    await _bed.Sweep.RunAsync(CancellationToken.None);
                    _lastSweep = _bed.Time.GetUtcNow();
                    foreach (var job in _bed.Jobs.Drain())
                    {
                        await _bed.DeliverAsync(job);
                    }
                }

                // 12:00 usage, then what the upcoming invoice says.
                _bed.Time.SetUtcNow(dayStart.AddHours(12));
                Renew(webhookLate: false);
                foreach (var account in _accounts)
                {
                    await UseAsync(account);
                    if (account.Pro && _random.Next(45) == 0)
                    {
                        // A credit pack: half of them expire 5 to 60 days after purchase.
                        var amount = _random.Next(100, 4_000);
                        DateTimeOffset? expires = _random.Next(2) == 0 ? null : _bed.Time.GetUtcNow().AddDays(_random.Next(5, 60));
                        await _bed.GrantAsync(account.Id, $"s{seed}-{account.Id.Value}-{d}", amount, expires);
                        account.Granted += amount;
                        account.Grants.Add((_bed.Time.GetUtcNow(), expires));
                    }
                }

                foreach (var account in _accounts.Where(a => a.Pro && a.Period.End <= dayStart.AddDays(1).AddHours(12)))
                {
                    var upcoming = await _bed.Invoices.UpcomingAsync(account.Id, CancellationToken.None);
                    account.Upcoming[account.Period.Key] = upcoming.Charges.Total.MinorUnits;
                    account.UpcomingCredit[account.Period.Key] = (_bed.Time.GetUtcNow(), upcoming.CreditApplicable);
                }

                Check(dayStart, all: false);
            }

            Check(start.AddDays(days), all: true);

            // The run covered both kinds of closed PRO period, and invoiced most of those with overage.
            var closed = _accounts.Where(a => a.WasPro).SelectMany(a => a.Closed.Select(p => Amount(a, p.Key))).ToList();
            Assert.Contains(closed, amount => amount == 0);
            Assert.True(closed.Count(amount => amount > 0) > closed.Count / 4, $"{closed.Count(amount => amount > 0)} of {closed.Count} closed periods with overage");
            var settled = _accounts.Where(a => a.WasPro).SelectMany(a => a.Closed.Where(p => p.End + _bed.Options.SettleTime <= _lastSweep).Select(p => Amount(a, p.Key))).Count(amount => amount > 0);
            Assert.All(_accounts.Where(a => a.Yearly), a => Assert.Equal(12, a.Slices.Count(p => p.Start < a.Anchor.AddYears(1))));
            Assert.All(_accounts.Where(a => a.Yearly), a => Assert.Equal(a.Anchor.AddYears(1), a.Slices.Last(p => p.Start < a.Anchor.AddYears(1)).End));
            Assert.Contains(_accounts, a => a.Canceled);
            var covered = _bed.Runs.All.Count(r => r.Step == InvoiceRunStep.CoveredByCredit);
            Assert.InRange(_bed.Stripe.Invoices.Count + covered, settled, closed.Count(amount => amount > 0));
            Assert.Contains(_bed.Runs.All, r => r.CreditApplied > 0);
        }

        private SimAccount Open(int index)
        {
            var now = _bed.Time.GetUtcNow();
            if (index % 3 == 0)
            {
                var id = _bed.Usage.Register();
                return new SimAccount(id, WasPro: false, Anchor: default, UsagePeriod.CalendarMonth(now));
            }

            if (index % 5 == 1)
            {
                // BASIC yearly from today at a random time: counted in monthly slices from its start.
                var yearStart = now.AddMinutes(_random.Next(24 * 60) - 24 * 60);
                var basic = _bed.Usage.Register();
                var stored = _bed.Usage.Accounts.GetAsync(basic, CancellationToken.None).GetAwaiter().GetResult()!;
                var applied = stored.ApplySubscriptionSnapshot(
                    new SubscriptionSnapshot
                    {
                        SubscriptionId = "sub_y" + index, CustomerId = "cus_y" + index, Status = SubscriptionStatus.Active, PriceId = TestCatalog.BasicYearly,
                        Interval = BillingInterval.Year, CurrentPeriodStart = yearStart, CurrentPeriodEnd = yearStart.AddYears(1), AsOf = now,
                    },
                    _bed.Usage.Catalog,
                    TimeSpan.Zero);
                Assert.Equal(SubscriptionSnapshotOutcome.Applied, applied.Outcome);
                _bed.Usage.Accounts.Put(applied.Account);
                return new SimAccount(basic, WasPro: false, yearStart, UsagePeriod.SubscriptionPeriod(yearStart, yearStart.AddYears(1))) { Yearly = true };
            }

            // Anchors on the 28th to the 31st (of the last month that has that day), at a random time of day.
            var anchorDay = 28 + (index % 4);
            var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
            DateTimeOffset anchor;
            do
            {
                month = month.AddMonths(-1);
                anchor = month;
            }
            while (DateTime.DaysInMonth(month.Year, month.Month) < anchorDay || month.AddDays(anchorDay - 1) > now);
            anchor = month.AddDays(anchorDay - 1).AddMinutes(_random.Next(24 * 60));
            var k = 0;
            while (anchor.AddMonths(k + 1) <= now)
            {
                k++;
            }

            var (accountId, period) = _bed.Usage.Subscribe(TestCatalog.ProMonthly, period: (anchor.AddMonths(k), anchor.AddMonths(k + 1)));
            var account = _bed.Usage.Accounts.GetAsync(accountId, CancellationToken.None).GetAwaiter().GetResult()!;
            _bed.StripeSubscriptions.Subscriptions.Add(account.Subscription!.SubscriptionId, new FakeStripeSubscription
            {
                Id = account.Subscription.SubscriptionId, CustomerId = account.Subscription.CustomerId, Created = anchor, PriceId = TestCatalog.ProMonthly,
                PeriodStart = period.Start, PeriodEnd = period.End,
            });
            return new SimAccount(accountId, WasPro: true, anchor, period) { Months = k };
        }

        /// <summary>Stripe's renewal for every subscription whose period has ended, and its webhook (unless <paramref name="webhookLate"/>: the invoice job reads Stripe).</summary>
        private void Renew(bool webhookLate)
        {
            var now = _bed.Time.GetUtcNow();
            foreach (var account in _accounts)
            {
                if (account.Yearly)
                {
                    continue;
                }

                if (!account.Pro)
                {
                    var month = UsagePeriod.CalendarMonth(now);
                    if (month.Key != account.Period.Key)
                    {
                        Assert.Equal(account.Period.End, month.Start);
                        if (!account.Canceled)
                        {
                            account.Closed.Add(account.Period);
                        }

                        account.Period = month;
                    }

                    continue;
                }

                var stored = _bed.Usage.Accounts.GetAsync(account.Id, CancellationToken.None).GetAwaiter().GetResult()!;
                var stripe = _bed.StripeSubscriptions.Subscriptions[stored.Subscription!.SubscriptionId];
                while (stripe.PeriodEnd <= now && stripe.Status != SubscriptionStatus.Canceled)
                {
                    if (_random.Next(15) == 0)
                    {
                        // Cancelled at the period's end: the account falls back to the free plan.
                        stripe.Status = SubscriptionStatus.Canceled;
                        stripe.CanceledAt = stripe.PeriodEnd;
                        stripe.EndedAt = stripe.PeriodEnd;
                        break;
                    }

                    stripe.PeriodStart = stripe.PeriodEnd;
                    stripe.PeriodEnd = NextEnd(account, stripe.PeriodStart);
                }

                if (webhookLate)
                {
                    continue;
                }

                if (stripe.Status == SubscriptionStatus.Canceled)
                {
                    while (account.Period.End < stripe.PeriodEnd)
                    {
                        account.Closed.Add(account.Period);
                        account.Months++;
                        account.Period = _bed.Usage.ChangePlan(account.Id, TestCatalog.ProMonthly, period: (account.Anchor.AddMonths(account.Months), account.Anchor.AddMonths(account.Months + 1)));
                    }

                    account.Closed.Add(account.Period);
                    _bed.Usage.ChangePlan(account.Id, TestCatalog.ProMonthly, SubscriptionStatus.Canceled, period: (account.Period.Start, account.Period.End));
                    account.Pro = false;
                    account.Canceled = true;
                    account.Period = UsagePeriod.CalendarMonth(now);
                    continue;
                }

                while (account.Period.End <= now)
                {
                    account.Closed.Add(account.Period);
                    account.Months++;
                    var (periodStart, periodEnd) = (account.Anchor.AddMonths(account.Months), account.Anchor.AddMonths(account.Months + 1));
                    Assert.Equal(account.Period.End, periodStart);
                    account.Period = _bed.Usage.ChangePlan(account.Id, TestCatalog.ProMonthly, period: (periodStart, periodEnd));
                }
            }
        }

        private static DateTimeOffset NextEnd(SimAccount account, DateTimeOffset periodStart)
        {
            var k = 0;
            while (account.Anchor.AddMonths(k) <= periodStart)
            {
                k++;
            }

            return account.Anchor.AddMonths(k);
        }

        private async Task UseAsync(SimAccount account)
        {
            if (account.Yearly)
            {
                var stored = await _bed.Usage.Accounts.GetAsync(account.Id, CancellationToken.None);
                var slice = _bed.Usage.Entitlements.Evaluate(stored!, _bed.Time.GetUtcNow()).Period;
                if (account.Slices.Count == 0 || account.Slices[^1] != slice)
                {
                    account.Slices.Add(slice);
                }

                account.Period = slice;
            }

            var runs = account.Pro ? _random.Next(0, 70) : account.Yearly ? _random.Next(0, 40) : _random.Next(0, 2);
            var tokens = account.Pro ? _random.Next(0, 7_000) : _random.Next(0, 80);
            foreach (var (meter, quantity) in new[] { (UsageTestBed.AgentRuns, runs), (UsageTestBed.Tokens, tokens) })
            {
                if (quantity == 0)
                {
                    continue;
                }

                var outcome = await _bed.Usage.RecordAsync(account.Id, meter, quantity);
                if (outcome is Billing.Application.Outcomes.Succeeded<Billing.Application.Usage.RecordedUsage>)
                {
                    var used = account.Used.TryGetValue((account.Period.Key, meter), out var u) ? u : 0;
                    account.Used[(account.Period.Key, meter)] = used + quantity;
                }
                else
                {
                    Assert.False(account.Pro, $"{account.Id} PRO usage refused: {outcome}");
                }
            }
        }

        private void Check(DateTimeOffset day, bool all)
        {
            var now = _bed.Time.GetUtcNow();
            foreach (var account in _accounts)
            {
                foreach (var (key, meter) in account.Used.Keys.Where(k => all || k.Item1 == account.Period.Key))
                {
                    Assert.True(
                        _bed.Usage.Ledger.GetAsync(account.Id, key, CancellationToken.None).GetAwaiter().GetResult()?.Used(meter) == account.Used[(key, meter)],
                        $"{day:yyyy-MM-dd} {account.Id} {key} {meter}: ledger counts differ from what was recorded");
                }

                if (account.Yearly)
                {
                    Assert.True(Used(account, account.Period.Key, UsageTestBed.AgentRuns) <= 500, $"{account.Id} over BASIC's hard limit of agent runs");
                    var year = (Start: account.Anchor, End: account.Anchor.AddYears(1));
                    var slices = account.Slices.Where(p => p.Start < year.End).ToList();
                    Assert.Equal(year.Start, slices[0].Start);
                    for (var i = 1; i < slices.Count; i++)
                    {
                        Assert.True(slices[i - 1].End == slices[i].Start, $"{account.Id}: slice {slices[i - 1].Start:O}..{slices[i - 1].End:O} then {slices[i].Start:O}");
                        Assert.True(slices[i - 1].End - slices[i - 1].Start <= TimeSpan.FromDays(31), $"{account.Id}: slice {slices[i - 1].Start:O}..{slices[i - 1].End:O}");
                    }

                    Assert.True(slices[^1].End <= year.End, $"{account.Id}: slice {slices[^1].Start:O}..{slices[^1].End:O} past the year's end {year.End:O}");
                    continue;
                }

                if (!account.Pro)
                {
                    Assert.True(Used(account, account.Period.Key, UsageTestBed.AgentRuns) <= 10, $"{account.Id} over the free hard limit of agent runs");
                    Assert.True(Used(account, account.Period.Key, UsageTestBed.Tokens) <= 1_000, $"{account.Id} over the free hard limit of tokens");
                    if (!account.Canceled)
                    {
                        continue;
                    }
                }

                foreach (var period in account.Closed.Where(p => all || now - p.End < TimeSpan.FromDays(50)))
                {
                    var expected = Amount(account, period.Key);
                    var job = new InvoiceJob(account.Id, period.Key);
                    var invoices = _bed.Stripe.InvoicesFor(job.RunId);
                    var run = _bed.Runs.Find(account.Id, period.Key);
                    var waitedLongEnough = _lastSweep >= period.End + _bed.Options.SettleTime; // a successful sweep since it settled queued its job
                    if (expected == 0)
                    {
                        Assert.Empty(invoices);
                        continue;
                    }

                    Assert.True(invoices.Count <= 1, $"{day:yyyy-MM-dd} {job.RunId}: {invoices.Count} invoices");
                    if (run is { Step: InvoiceRunStep.CoveredByCredit })
                    {
                        Assert.Empty(invoices);
                        Assert.True(run.Total == expected && run.CreditApplied == expected, $"{job.RunId}: covered by credit, total {run.Total}, credit {run.CreditApplied}, the rule gives {expected}");
                    }
                    else if (invoices.Count == 1)
                    {
                        var invoice = invoices[0];
                        Assert.NotNull(run);
                        Assert.True(run.Total == expected && invoice.Total == expected - run.CreditApplied && run.CreditApplied >= 0, $"{day:yyyy-MM-dd} {job.RunId}: run total {run.Total}, invoiced {invoice.Total} after credit {run.CreditApplied}, the rule gives {expected} (runs {Used(account, period.Key, UsageTestBed.AgentRuns)}, tokens {Used(account, period.Key, UsageTestBed.Tokens)})");
                        Assert.Equal("usd", invoice.Currency);
                        Assert.True(account.Upcoming.TryGetValue(period.Key, out var upcoming) && upcoming == run.Total, $"{job.RunId}: the upcoming invoice said {upcoming} on the period's last day, the invoice charged {run.Total}");
                        Assert.Equal(InvoiceRunStep.Recorded, run.Step);
                    }
                    else
                    {
                        Assert.False(waitedLongEnough, $"{day:yyyy-MM-dd} {job.RunId}: not invoiced {(now - period.End).TotalDays:0} days after its end, though the sweep ran at {_lastSweep:O} (run {run?.Step})");
                    }

                    // The credit the upcoming invoice said would pay part of it, when no pack was bought or expired since: also when
                    // a later period's job ran first (catching up after an outage, the sweep queues the newest period first).
                    if (run is { IsDone: true } && account.UpcomingCredit.TryGetValue(period.Key, out var said)
                        && !account.Grants.Any(g => g.BoughtAt > said.At || (g.ExpiresAt > said.At && g.ExpiresAt <= now)))
                    {
                        Assert.True(said.Credit == run.CreditApplied, $"{day:yyyy-MM-dd} {job.RunId}: the upcoming invoice said {said.Credit} of credit would apply at {said.At:O}, the run applied {run.CreditApplied}; grants {string.Join(" ", _bed.Credits.ReadAsync(account.Id, CancellationToken.None).GetAwaiter().GetResult().Grants.Select(g => $"[{g.GrantedAt:O} {g.Amount} left {g.Remaining} exp {g.ExpiresAt:O}]"))}; runs {string.Join(" ", _bed.Runs.All.Where(r => r.AccountId == account.Id).OrderBy(r => r.PeriodEnd).Select(r => $"[{r.PeriodKey} end {r.PeriodEnd:O} {r.Step} total {r.Total} credit {r.CreditApplied}]"))}");
                    }
                }

                // Credit: no grant below zero or above its amount; no more spent than bought.
                var book = _bed.Credits.ReadAsync(account.Id, CancellationToken.None).GetAwaiter().GetResult();
                Assert.All(book.Grants, g => Assert.InRange(g.Remaining, 0, g.Amount));
                Assert.Equal(account.Granted, book.Grants.Sum(g => g.Amount));
                var spent = _bed.Runs.All.Where(r => r.AccountId == account.Id).Sum(r => r.CreditApplied);
                Assert.True(spent <= account.Granted, $"{account.Id}: {spent} credit applied, {account.Granted} bought");
                Assert.True(book.Grants.Sum(g => g.Remaining) <= account.Granted - spent, $"{account.Id}: {book.Grants.Sum(g => g.Remaining)} remaining, {account.Granted} bought, {spent} applied");

                // Periods follow each other without gap or overlap.
                var periods = account.Canceled ? account.Closed : account.Closed.Append(account.Period).ToList();
                for (var i = 1; i < periods.Count; i++)
                {
                    Assert.Equal(periods[i - 1].End, periods[i].Start);
                }
            }
        }

        private static long Used(SimAccount account, UsagePeriodKey key, MeterName meter) =>
            account.Used.TryGetValue((key, meter), out var used) ? used : 0;

        /// <summary>The catalog's PRO rule by hand: 3 per run over 1,000; tokens over 100,000 in graduated tiers (1,000 at 2; up to 10,000 at 1 + 100 flat; beyond, 500 flat).</summary>
        private static long Amount(SimAccount account, UsagePeriodKey key)
        {
            var runs = Math.Max(0, Used(account, key, UsageTestBed.AgentRuns) - 1_000) * 3;
            var over = Math.Max(0, Used(account, key, UsageTestBed.Tokens) - 100_000);
            long tokens = 0;
            if (over > 0)
            {
                tokens += Math.Min(over, 1_000) * 2;
            }

            if (over > 1_000)
            {
                tokens += (Math.Min(over, 10_000) - 1_000) + 100;
            }

            if (over > 10_000)
            {
                tokens += 500;
            }

            return runs + tokens;
        }
    }

    private sealed record SimAccount(AccountId Id, bool WasPro, DateTimeOffset Anchor, UsagePeriod InitialPeriod)
    {
        public bool Pro { get; set; } = WasPro;

        /// <summary>A PRO subscriber whose subscription was cancelled at a period's end (on the free plan since).</summary>
        public bool Canceled { get; set; }

        public UsagePeriod Period { get; set; } = InitialPeriod;

        public int Months { get; set; }

        public long Granted { get; set; }

        public bool Yearly { get; init; }

        /// <summary>The usage periods a yearly account was seen in, in order.</summary>
        public List<UsagePeriod> Slices { get; } = [];

        public List<UsagePeriod> Closed { get; } = [];

        public Dictionary<(UsagePeriodKey, MeterName), long> Used { get; } = [];

        public Dictionary<UsagePeriodKey, long> Upcoming { get; } = [];

        public Dictionary<UsagePeriodKey, (DateTimeOffset At, long Credit)> UpcomingCredit { get; } = [];

        public List<(DateTimeOffset BoughtAt, DateTimeOffset? ExpiresAt)> Grants { get; } = [];
    }
}
