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
/// for the amount worked out here from the recorded usage and the catalog's rule, in its currency, as the upcoming invoice said
/// on its last day; periods of an account follow each other without gap or overlap. The accounts also live local trials
/// (then free, or PRO), plan changes within a period, past_due (grace, recovery, cancellation by dunning), cancellations
/// at the period's end taken back, add-ons bought, refunded and expiring inside a period, credit packs refunded or
/// expiring around a period's close: every day the entitlement, every record's answer and every run's credit must be
/// what docs/api.md gives, worked out here by hand.
/// </summary>
public sealed class TwoYearSimulationTests
{
    /// <summary>The seeds: the start day, and the currency PRO bills its overage in (seed 4: yen, whole units, in its own catalog, where BASIC's agent runs are unlimited).</summary>
    public static TheoryData<int, int, int, int, string> Starts => new()
    {
        { 1, 2027, 1, 31, "usd" },
        { 2, 2028, 2, 29, "usd" },
        { 3, 2027, 3, 31, "usd" },
        { 4, 2027, 12, 31, "jpy" },
    };

    [Theory]
    [MemberData(nameof(Starts))]
    public async Task Two_years_of_usage_are_invoiced_once_each_for_the_documented_amount(int seed, int year, int month, int day, string currency)
    {
        var simulation = new Simulation(seed, new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero), currency);
        await simulation.RunAsync(days: 730, accounts: 30);
    }

    private sealed class Simulation
    {
        private readonly int _seed;
        private readonly DateTimeOffset _start;
        private readonly Random _random;
        private readonly InvoicingTestBed _bed;
        private readonly List<SimAccount> _accounts = [];
        private readonly Dictionary<string, int> _events = [];
        private readonly Billing.Application.Trials.LocalTrials _trials;
        private readonly Billing.Application.Subscriptions.SubscriptionSnapshotApplier _webhooks;
        private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

        private readonly string _currency;

        /// <summary>BASIC's hard limit of agent runs (null: unlimited, in seed 4's catalog, so BASIC counts runs beyond PRO's included ones between plan changes).</summary>
        private readonly long? _basicRuns;

        public Simulation(int seed, DateTimeOffset start, string currency)
        {
            _currency = currency;
            _seed = seed;
            _start = start;
            _random = new Random(seed);
            _basicRuns = currency == "usd" ? 500 : null;
            _bed = CreateBed(start, currency, _basicRuns);
            _trials = new Billing.Application.Trials.LocalTrials(_bed.Usage.Catalog, _bed.Usage.Accounts, new FakeStripeBillingGateway(), _bed.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger<Billing.Application.Trials.LocalTrials>.Instance);
            _webhooks = new Billing.Application.Subscriptions.SubscriptionSnapshotApplier(_bed.Usage.Accounts, _bed.Usage.Ledger, _bed.Usage.IncludedUnits, _bed.Usage.Catalog, Microsoft.Extensions.Options.Options.Create(new Billing.Application.Subscriptions.SubscriptionSyncOptions { ClockSkew = TimeSpan.Zero }), _bed.Time);
        }

        private static readonly TimeSpan Grace = TimeSpan.FromDays(3); // UsageTestBed's PastDueGracePeriod

        private static InvoicingTestBed CreateBed(DateTimeOffset start, string currency, long? basicRuns)
        {
            var catalog = TestCatalog.Options();
            catalog.Plan("PRO").Currency = currency; // the same numbers: yen are whole units, so 3 per run is 3 yen
            catalog.Plan("BASIC").Meters["agent_runs"].Quota = basicRuns ?? 0;
            var bed = new InvoicingTestBed(catalog);
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
                var dayStart = _start.AddDays(d);

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
                        SpendAsModelled(job);
                    }
                }

                // 12:00 usage, then what the upcoming invoice says.
                _bed.Time.SetUtcNow(dayStart.AddHours(12));
                Renew(webhookLate: false);
                for (var i = 0; i < _accounts.Count; i++)
                {
                    var account = _accounts[i] = await LiveAsync(_accounts[i]);
                    await UseAsync(account);
                    if (account.Pro && _random.Next(45) == 0)
                    {
                        // A credit pack: some never expire, some 5 to 60 days after purchase, some at the instant the
                        // current period closes (too late for it: credit must outlive the period's end), a second before
                        // it, or up to 3 hours after it (before or after its job runs at 02:00).
                        var amount = _random.Next(100, 4_000);
                        var end = account.Period.End;
                        DateTimeOffset? expires = _random.Next(6) switch
                        {
                            0 or 1 => null,
                            2 => _bed.Time.GetUtcNow().AddDays(_random.Next(5, 60)),
                            3 => end,
                            4 => end.AddSeconds(-1),
                            _ => end.AddMinutes(_random.Next(1, 180)),
                        };
                        var session = $"s{_seed}-{account.Id.Value}-{d}";
                        await _bed.GrantAsync(account.Id, session, amount, expires, _currency);
                        account.Granted += amount;
                        account.Grants.Add((_bed.Time.GetUtcNow(), expires));
                        account.Packs.Add(new SimGrant("cs:" + session, "pi_" + session, amount, _bed.Time.GetUtcNow(), expires) { Remaining = amount });
                    }

                    if (account.Packs.Count > 0 && _random.Next(120) == 0 && account.Packs.Where(g => !g.Reversed).ToList() is { Count: > 0 } refundable)
                    {
                        // A refund (or a lost dispute) of one pack takes back what is left of it.
                        var pack = refundable[_random.Next(refundable.Count)];
                        await _bed.Credits.PostAsync(account.Id, Billing.Domain.Credits.CreditOperation.Reverse(pack.PaymentIntentId, "ch_" + pack.GrantId), CancellationToken.None);
                        pack.Reversed = true;
                        account.Refunded += pack.Remaining;
                        pack.Remaining = 0;
                        account.Grants.Add((_bed.Time.GetUtcNow(), _bed.Time.GetUtcNow())); // the upcoming check's "credit changed since"
                    }
                }

                foreach (var account in _accounts.Where(a => a.Pro && a.Period.End <= dayStart.AddDays(1).AddHours(12)))
                {
                    if (Expect(account, _bed.Time.GetUtcNow()).Period != account.Period)
                    {
                        // Past the grace period on its last day: the upcoming invoice is the free plan's month.
                        account.FallBacks.Add(account.Period);
                        continue;
                    }

                    var upcoming = await _bed.Invoices.UpcomingAsync(account.Id, CancellationToken.None);
                    account.Upcoming[account.Period.Key] = upcoming.Charges.Total.MinorUnits;
                    account.Log.Add($"{_bed.Time.GetUtcNow():O} upcoming {upcoming.Charges.Total.MinorUnits} for {upcoming.Charges.Period.Key}");
                    account.UpcomingCredit[account.Period.Key] = (_bed.Time.GetUtcNow(), upcoming.CreditApplicable);
                }

                Check(dayStart, all: false);
            }

            Check(_start.AddDays(days), all: true);

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

            // Every life the simulation offers was lived.
            var lived = string.Join(", ", _events.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {e.Value}"));
            foreach (var what in new[]
                     {
                         "local trial", "second trial refused", "refused on TRIAL", "past_due", "recovered within the grace period", "recovered after the grace period",
                         "cancelled by dunning", "refused on FREE", "cancellation scheduled", "cancellation taken back", "upgrade to PRO", "downgrade to BASIC", "refused on BASIC",
                         "add-on for the period", "add-on expiring in the period", "add-on expiring at the period's end", "add-on refunded after covering runs", "add-on refunded before covering any run",
                         "subscribed during the trial", "subscribed after the trial",
                     })
            {
                Assert.True(_events.ContainsKey(what) || (what == "refused on BASIC" && _basicRuns is null), $"no '{what}' in {lived}");
            }
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
            return new SimAccount(accountId, WasPro: true, anchor, period) { Months = k, PlanChanges = index % 2 == 1 };
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
                    if (stripe.CancelAtPeriodEnd || _random.Next(15) == 0)
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
                        account.Period = _bed.Usage.ChangePlan(account.Id, account.PriceId, account.PastDueAt is null ? SubscriptionStatus.Active : SubscriptionStatus.PastDue, period: (account.Anchor.AddMonths(account.Months), account.Anchor.AddMonths(account.Months + 1)));
                    }

                    account.Closed.Add(account.Period);
                    _bed.Usage.ChangePlan(account.Id, account.PriceId, SubscriptionStatus.Canceled, period: (account.Period.Start, account.Period.End));
                    Note(account, account.CancelScheduled ? "scheduled cancellation" : "cancellation at the period end");
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
                    account.Period = _bed.Usage.ChangePlan(account.Id, account.PriceId, account.PastDueAt is null ? SubscriptionStatus.Active : SubscriptionStatus.PastDue, period: (periodStart, periodEnd));
                }
            }
        }

        /// <summary>
        /// The credit a run that just ended should have spent, worked out from the packs as docs/api.md states the rule:
        /// the packs held when the period closed pay if they had not expired by its end (however late the job), those
        /// bought after the close if they have not expired when the job runs; the one expiring soonest first (never last),
        /// then the oldest; at most the run's total; what the account's earlier closed periods still to be invoiced take first.
        /// </summary>
        private void SpendAsModelled(InvoiceJob job)
        {
            var account = _accounts.Single(a => a.Id == job.AccountId);
            var run = _bed.Runs.Find(job.AccountId, job.PeriodKey);
            if (run is not { IsDone: true } || !account.Modelled.Add(job.PeriodKey))
            {
                return;
            }

            var now = _bed.Time.GetUtcNow();
            // A period that closed after the last webhook the simulation followed is still the account's current one here.
            var period = account.Closed.SingleOrDefault(p => p.Key == job.PeriodKey) ?? (account.Period.Key == job.PeriodKey ? account.Period : null);
            if (period is null)
            {
                // A trial's or the free plan's period: nothing billed, no credit spent.
                Assert.True(run.CreditApplied == 0 && run.Total == 0, $"{job.RunId}: total {run.Total}, credit {run.CreditApplied}");
                return;
            }

            // Credit goes to invoices in the order their periods close: the account's earlier closed periods (within the
            // look-back window before this one's end) whose jobs have not run yet take theirs first, on paper; this run
            // spends what they leave, from the packs as they are.
            var reserved = account.Packs.ToDictionary(g => g.GrantId, g => g.Remaining);
            var windowFrom = new DateTimeOffset(_bed.Options.FirstDaySwept(period.End).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            foreach (var earlier in account.Closed.Where(p => p.End < period.End && p.End >= windowFrom && !account.Modelled.Contains(p.Key)).OrderBy(p => p.End))
            {
                Take(account, reserved, Amount(account, earlier.Key), earlier.End, now);
            }

            var applied = Take(account, reserved, Amount(account, job.PeriodKey), period.End, now);
            var remaining = account.Packs.ToDictionary(g => g.GrantId, g => g.Remaining);
            Take(account, remaining, applied, period.End, now);
            foreach (var pack in account.Packs)
            {
                pack.Remaining = remaining[pack.GrantId];
            }

            Assert.True(
                run.CreditApplied == applied,
                $"{now:O} {job.RunId} (period end {period.End:O}, total {run.Total}): {run.CreditApplied} of credit applied, the rule gives {applied}; packs {string.Join(" ", account.Packs.Select(g => $"[{g.GrantId} bought {g.GrantedAt:O} {g.Amount} exp {g.ExpiresAt:O} refunded {g.Reversed}]"))}");
        }

        /// <summary>Takes up to <paramref name="amount"/> from <paramref name="remaining"/> (by pack) as the rule says for credit owed since <paramref name="owedAt"/>; returns what it took.</summary>
        private static long Take(SimAccount account, Dictionary<string, long> remaining, long amount, DateTimeOffset owedAt, DateTimeOffset now)
        {
            var left = amount;
            foreach (var pack in account.Packs
                         .Where(g => remaining[g.GrantId] > 0 && !(g.ExpiresAt <= (g.GrantedAt <= owedAt ? owedAt : now)))
                         .OrderBy(g => g.ExpiresAt ?? DateTimeOffset.MaxValue).ThenBy(g => g.GrantedAt))
            {
                var take = Math.Min(left, remaining[pack.GrantId]);
                remaining[pack.GrantId] -= take;
                left -= take;
            }

            return amount - left;
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

        private void Count(string what) => _events[what] = _events.TryGetValue(what, out var n) ? n + 1 : 1;

        private void Note(SimAccount account, string what)
        {
            Count(what);
            account.Log.Add($"{_bed.Time.GetUtcNow():O} {what}");
        }

        /// <summary>
        /// What docs/api.md says applies to the account now (plan, usage period, when it ends if nothing changes), worked
        /// out from what the simulation did: a subscription's plan (BASIC or PRO) over its period, also past_due for the
        /// grace period from when the app heard of it, then the free plan's calendar month; a running local trial over its
        /// window; otherwise the free plan.
        /// </summary>
        private static (string Plan, UsagePeriod Period, DateTimeOffset? EndsAt) Expect(SimAccount account, DateTimeOffset now)
        {
            if (account.Pro)
            {
                var plan = account.PriceId == TestCatalog.ProMonthly ? "PRO" : "BASIC";
                if (account.PastDueAt is { } since)
                {
                    return now >= since + Grace ? ("FREE", UsagePeriod.CalendarMonth(now), null) : (plan, account.Period, since + Grace);
                }

                return (plan, account.Period, account.CancelScheduled ? account.Period.End : null);
            }

            if (account.TrialStart is { } trialStart && account.TrialEnd is { } trialEnd && now < trialEnd)
            {
                return ("TRIAL", UsagePeriod.LocalTrial(trialStart, trialEnd), trialEnd);
            }

            return ("FREE", UsagePeriod.CalendarMonth(now), null);
        }

        /// <summary>The catalog's hard limits by hand (null: not refused, overage or unlimited).</summary>
        private long? HardLimit(string plan, MeterName meter) => (plan, meter.Value) switch
        {
            ("FREE", "agent_runs") => 10,
            ("FREE", "tokens") => 1_000,
            ("TRIAL", "agent_runs") => 100,
            ("BASIC", "agent_runs") => _basicRuns,
            _ => null,
        };

        private async Task ApplyAsync(SimAccount account, FakeStripeSubscription stripe)
        {
            var applied = await _webhooks.ApplyAsync(account.Id, stripe.ToSnapshot(_bed.Time.GetUtcNow()), CancellationToken.None);
            Assert.Equal(SubscriptionSnapshotOutcome.Applied, applied.Outcome);
        }

        /// <summary>
        /// The day's events of an account's life, as the webhooks would bring them: a local trial (once; a second try
        /// refused), a plan change within the period (PRO to BASIC and back), a cancellation at the period's end that the
        /// customer may take back, a failed payment (past_due), then its recovery or the cancellation by dunning.
        /// </summary>
        private async Task<SimAccount> LiveAsync(SimAccount account)
        {
            var now = _bed.Time.GetUtcNow();
            if (account.Yearly)
            {
                return account;
            }

            if (!account.Pro)
            {
                if (account.WasPro)
                {
                    return account;
                }

                if (account.TrialStart is not null && _random.Next(now < account.TrialEnd ? 8 : 30) == 0)
                {
                    // Subscribes to PRO (during the trial or after it): the subscription's plan and period from now on.
                    // Checkout completed at 11:00, its webhook processed now (at 12:00 no renewal is ever due later than the daily renewals run).
                    var created = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddHours(11);
                    var period = UsagePeriod.SubscriptionPeriod(created, created.AddMonths(1));
                    var subscription = new FakeStripeSubscription
                    {
                        Id = "sub_t" + account.Id.Value, CustomerId = "cus_t" + account.Id.Value, Created = created, PriceId = TestCatalog.ProMonthly,
                        PeriodStart = period.Start, PeriodEnd = period.End,
                    };
                    _bed.StripeSubscriptions.Subscriptions.Add(subscription.Id, subscription);
                    await ApplyAsync(account, subscription);
                    Note(account, now < account.TrialEnd ? "subscribed during the trial" : "subscribed after the trial");
                    var paid = account with { WasPro = true, Anchor = created, InitialPeriod = period, Pro = true, Period = period, Months = 0 };
                    paid.Closed.Clear(); // its periods follow each other from the subscription on (the free months and the trial were checked)
                    return paid;
                }

                if (account.TrialStart is null && _random.Next(40) == 0)
                {
                    var started = (await _trials.StartAsync(account.Id, CancellationToken.None)).AssertSucceeded();
                    Assert.Equal(("TRIAL", now, now.AddDays(TestCatalog.LocalTrialDays)), (started.Plan.Code.Value, started.StartedAt, started.EndsAt));
                    (account.TrialStart, account.TrialEnd) = (started.StartedAt, started.EndsAt);
                    Note(account, "local trial");
                }
                else if (account.TrialEnd < now && !account.TrialRetried && _random.Next(10) == 0)
                {
                    var refused = (await _trials.StartAsync(account.Id, CancellationToken.None)).AssertRefused();
                    Assert.Contains("trial", refused.Detail, StringComparison.OrdinalIgnoreCase);
                    account.TrialRetried = true;
                    Note(account, "second trial refused");
                }

                return account;
            }

            _bed.Time.Advance(TimeSpan.FromSeconds(1)); // after the renewal's snapshot of this instant
            now = _bed.Time.GetUtcNow();
            var stored = (await _bed.Usage.Accounts.GetAsync(account.Id, CancellationToken.None))!;
            var stripe = _bed.StripeSubscriptions.Subscriptions[stored.Subscription!.SubscriptionId];
            if (account.PastDueAt is { } since)
            {
                if (_random.Next(7) == 0)
                {
                    // The customer pays: the subscription's plan again, over its period.
                    stripe.Status = SubscriptionStatus.Active;
                    await ApplyAsync(account, stripe);
                    account.PastDueAt = null;
                    Note(account, now >= since + Grace ? "recovered after the grace period" : "recovered within the grace period");
                }
                else if (now - since > TimeSpan.FromDays(12))
                {
                    // Stripe gives up: cancelled now, its period ends now and is invoiced with what it counted.
                    stripe.Status = SubscriptionStatus.Canceled;
                    stripe.CanceledAt = now;
                    stripe.EndedAt = now;
                    await ApplyAsync(account, stripe);
                    account.Closed.Add(UsagePeriod.SubscriptionPeriod(account.Period.Start, now));
                    account.FallBacks.Add(account.Closed[^1]);
                    account.Pro = false;
                    account.Canceled = true;
                    account.PastDueAt = null;
                    account.Period = UsagePeriod.CalendarMonth(now);
                    Note(account, "cancelled by dunning");
                }

                return account;
            }

            if (account.CancelScheduled)
            {
                if (_random.Next(3) == 0)
                {
                    stripe.CancelAtPeriodEnd = false;
                    await ApplyAsync(account, stripe);
                    account.CancelScheduled = false;
                    Note(account, "cancellation taken back");
                }

                return account;
            }

            await AddOnsAsync(account, now);
            switch (_random.Next(150))
            {
                case < 2 when !account.AddOns.Any(x => x.ExpiresAt > now && x.RevokedAt is null):
                    // (Not while an add-on that outlives its period applies: it would raise the free plan's limit too.)
                    // A renewal payment failed earlier today (Stripe retries it).
                    stripe.Status = SubscriptionStatus.PastDue;
                    await ApplyAsync(account, stripe);
                    account.PastDueAt = now;
                    Note(account, "past_due");
                    break;
                case < 4:
                    stripe.CancelAtPeriodEnd = true;
                    await ApplyAsync(account, stripe);
                    account.CancelScheduled = true;
                    Note(account, "cancellation scheduled");
                    break;
                case < 9 when account.PlanChanges:
                    // An upgrade or downgrade that keeps the billing period (Stripe's proration is Stripe's business).
                    account.PriceId = account.PriceId == TestCatalog.ProMonthly ? TestCatalog.BasicMonthly : TestCatalog.ProMonthly;
                    stripe.PriceId = account.PriceId;
                    await ApplyAsync(account, stripe);
                    account.PlansOf.TryAdd(account.Period.Key, 1);
                    account.PlansOf[account.Period.Key]++;
                    Note(account, account.PriceId == TestCatalog.ProMonthly ? "upgrade to PRO" : "downgrade to BASIC");
                    break;
            }

            return account;
        }

        /// <summary>
        /// Add-ons of agent runs bought by PRO accounts that keep their plan: for the period (no expiry) or expiring inside
        /// it, some refunded inside it. Bought as the purchase handler grants them (the account's add-on, then the
        /// counters' included units refreshed), refunded as the reversal revokes them.
        /// </summary>
        private async Task AddOnsAsync(SimAccount account, DateTimeOffset now)
        {
            if (account.PlanChanges)
            {
                return;
            }

            var key = account.Period.Key;
            if (_random.Next(25) == 0 && account.Period.End - now > TimeSpan.FromHours(3))
            {
                var units = _random.Next(50, 400);
                DateTimeOffset? expires = _random.Next(5) switch
                {
                    0 or 1 => null,
                    2 => account.Period.End, // lasts exactly to the period's end: among those that end together, after the plan's
                    _ => now.AddMinutes(30 + (60 * _random.Next(0, (int)(account.Period.End - now).TotalHours - 1))),
                };
                var id = $"ao{_seed}-{account.Id.Value}-{account.AddOns.Count}";
                var granted = await _bed.Usage.Accounts.UpdateAsync(
                    account.Id,
                    a => a.GrantAddOn(new Billing.Domain.Credits.MeterAddOn
                    {
                        GrantId = "cs:" + id, Code = "EXTRA_AGENT_RUNS", Meter = UsageTestBed.AgentRuns, Units = units, GrantedAt = now, ExpiresAt = expires,
                        PeriodKey = expires is null ? key : null, PaymentIntentId = "pi_" + id,
                    }),
                    CancellationToken.None);
                await _bed.Usage.IncludedUnits.RefreshAsync(granted, UsageTestBed.AgentRuns, now, CancellationToken.None);
                account.AddOns.Add(new SimAddOn("pi_" + id, units, now, expires, account.Period));
                Note(account, expires is null ? "add-on for the period" : expires == account.Period.End ? "add-on expiring at the period's end" : "add-on expiring in the period");
            }

            // Refunded later than bought (one refunded at its purchase's instant never applied: a refund processed first).
            var live = account.AddOns.Where(x => x.Period.Key == key && x.RevokedAt is null && !(x.ExpiresAt <= now) && x.GrantedAt < now).ToList();
            if (live.Count > 0 && _random.Next(20) == 0)
            {
                var refunded = live[_random.Next(live.Count)];
                Settle(account, key, now);
                refunded.RevokedAt = now;
                var revoked = await _bed.Usage.Accounts.UpdateAsync(account.Id, a => a.RevokeAddOn(refunded.PaymentIntentId, now), CancellationToken.None);
                await _bed.Usage.IncludedUnits.RefreshAsync(revoked, UsageTestBed.AgentRuns, now, CancellationToken.None);
                Settle(account, key, now);
                Note(account, refunded.Covered > 0 ? "add-on refunded after covering runs" : "add-on refunded before covering any run");
                account.Log.Add($"(it covered {refunded.Covered} of {refunded.Units})");
            }
        }

        /// <summary>
        /// Fixes what each add-on that stopped applying by <paramref name="now"/> (expired or refunded) covered, with the
        /// usage counted by then, as docs/api.md's rule says: units go to the allowance that stops applying soonest (an
        /// add-on expiring in the period before the plan's, the plan's before an add-on that lasts the period; among those
        /// that end together, the plan's first, then the add-on bought first).
        /// </summary>
        private static void Settle(SimAccount account, UsagePeriodKey key, DateTimeOffset now)
        {
            foreach (var addOn in account.AddOns.Where(a => a.Period.Key == key && a.Covered is null && a.StoppedAt <= now).OrderBy(a => a.StoppedAt).ToList())
            {
                var before = addOn.PlannedEnd >= addOn.Period.End ? 1_000L : 0;
                foreach (var other in account.AddOns.Where(y => y != addOn && y.Period.Key == key && y.GrantedAt <= addOn.StoppedAt
                             && (y.PlannedEnd < addOn.PlannedEnd || (y.PlannedEnd == addOn.PlannedEnd && y.GrantedAt < addOn.GrantedAt))))
                {
                    before += other.StoppedAt <= addOn.StoppedAt ? other.Covered!.Value : other.Units;
                }

                addOn.Covered = Math.Clamp(Used(account, key, UsageTestBed.AgentRuns) - before, 0, addOn.Units);
            }
        }

        /// <summary>PRO's included runs in the period at <paramref name="now"/>: the plan's, what stopped add-ons covered, the units of those that apply.</summary>
        private static long Included(SimAccount account, UsagePeriodKey key, DateTimeOffset now)
        {
            Settle(account, key, now);
            return 1_000 + account.AddOns.Where(a => a.Period.Key == key && a.GrantedAt <= now).Sum(a => a.StoppedAt <= now ? a.Covered!.Value : a.Units);
        }

        private async Task UseAsync(SimAccount account)
        {
            var now = _bed.Time.GetUtcNow();
            var stored = await _bed.Usage.Accounts.GetAsync(account.Id, CancellationToken.None);
            var entitlement = _bed.Usage.Entitlements.Evaluate(stored!, now);
            if (account.Yearly)
            {
                var slice = entitlement.Period;
                if (account.Slices.Count == 0 || account.Slices[^1] != slice)
                {
                    account.Slices.Add(slice);
                }

                account.Period = slice;
            }

            var (plan, period, endsAt) = account.Yearly ? ("BASIC", account.Period, null) : Expect(account, now);
            Assert.True(
                (entitlement.Plan.Code.Value, entitlement.Period, entitlement.EndsAt) == (plan, period, endsAt),
                $"{now:O} {account.Id}: the entitlement is {entitlement.Plan.Code} ({entitlement.Source}) over {entitlement.Period.Start:O}..{entitlement.Period.End:O} until {entitlement.EndsAt:O}, the docs give {plan} over {period.Start:O}..{period.End:O} until {endsAt:O}");

            if (account.Pro && !account.Yearly && plan == "FREE" && !account.FellBack(account.Period))
            {
                account.FallBacks.Add(account.Period);
            }

            var runs = plan switch { "PRO" or "BASIC" => _random.Next(0, 70), "TRIAL" => _random.Next(0, 35), _ => _random.Next(0, 2) };
            var tokens = plan switch { "PRO" or "BASIC" => _random.Next(0, account.PlanChanges ? 2_000 : 7_000), "TRIAL" => _random.Next(0, 5_000), _ => _random.Next(0, 80) };
            foreach (var (meter, quantity) in new[] { (UsageTestBed.AgentRuns, runs), (UsageTestBed.Tokens, tokens) })
            {
                if (quantity == 0)
                {
                    continue;
                }

                var used = Used(account, period.Key, meter);
                var fits = HardLimit(plan, meter) is not { } limit || used + quantity <= limit;
                long? included = plan == "PRO" && meter == UsageTestBed.AgentRuns ? Included(account, period.Key, now) : null;
                var outcome = await _bed.Usage.RecordAsync(account.Id, meter, quantity);
                if (outcome is Billing.Application.Outcomes.Succeeded<Billing.Application.Usage.RecordedUsage> recorded)
                {
                    Assert.True(fits, $"{now:O} {account.Id}: {quantity} {meter} counted on {plan} with {used} used, over its hard limit");
                    Assert.True(
                        (recorded.Value.PeriodStart, recorded.Value.PeriodEnd, recorded.Value.Used) == (period.Start, period.End, used + quantity),
                        $"{now:O} {account.Id}: counted in {recorded.Value.PeriodStart:O}..{recorded.Value.PeriodEnd:O} as {recorded.Value.Used}, the docs give {period.Start:O}..{period.End:O} and {used + quantity}");
                    account.Used[(period.Key, meter)] = used + quantity;
                    Assert.True(included is null || recorded.Value.Limit == included, $"{now:O} {account.Id}: the record's limit of {meter} is {recorded.Value.Limit}, the rule gives {included}; {string.Join("; ", account.Log)}");
                    if (plan == "PRO" && meter == UsageTestBed.AgentRuns)
                    {
                        // PRO bills the runs it counted beyond its 1,000, at their position in the period.
                        account.ProOverRuns[period.Key] = (account.ProOverRuns.TryGetValue(period.Key, out var over) ? over : 0) + Math.Max(0, used + quantity - Math.Max(used, 1_000));
                    }
                }
                else
                {
                    Assert.False(fits, $"{now:O} {account.Id}: {quantity} {meter} refused on {plan} with {used} used: {outcome}");
                    Count($"refused on {plan}");
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
                    Assert.True(Used(account, account.Period.Key, UsageTestBed.AgentRuns) <= (_basicRuns ?? long.MaxValue), $"{account.Id} over BASIC's hard limit of agent runs");
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
                        Assert.Equal(_currency, invoice.Currency);
                        Assert.True(!account.Upcoming.TryGetValue(period.Key, out var upcoming) ? account.FellBack(period) : upcoming == run.Total, $"{job.RunId}: the upcoming invoice said {upcoming} on the period's last day, the invoice charged {run.Total}; {string.Join("; ", account.Log)}");
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
                Assert.True(book.Grants.Sum(g => g.Remaining) <= account.Granted - spent - account.Refunded, $"{account.Id}: {book.Grants.Sum(g => g.Remaining)} remaining, {account.Granted} bought, {spent} applied");

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
        /// <remarks>
        /// A plan change within the period: PRO bills only the runs it counted beyond its 1,000 (docs/api.md: each plan
        /// bills the units it counted beyond its own included amount, at their position in the period, and never units
        /// an earlier plan counted); accounts that change plans stay below PRO's tokens.
        /// </remarks>
        private static long Amount(SimAccount account, UsagePeriodKey key)
        {
            var runs = (account.ProOverRuns.TryGetValue(key, out var overRuns) ? overRuns : 0) * 3;
            if (account.AddOns.Any(a => a.Period.Key == key))
            {
                // Closed: nothing is counted in it any more, so what stopped after its last count covered the final usage.
                runs = Math.Max(0, Used(account, key, UsageTestBed.AgentRuns) - Included(account, key, DateTimeOffset.MaxValue)) * 3;
            }

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

        /// <summary>The packs bought, with what the rule leaves of each.</summary>
        public List<SimGrant> Packs { get; } = [];

        public string PriceId { get; set; } = TestCatalog.ProMonthly;

        /// <summary>Changes plans within periods (PRO and BASIC); its tokens stay below PRO's included ones.</summary>
        public bool PlanChanges { get; init; }

        /// <summary>The plan changes per period.</summary>
        public Dictionary<UsagePeriodKey, int> PlansOf { get; } = [];

        /// <summary>When the app heard its payment failed (null: in good standing).</summary>
        public DateTimeOffset? PastDueAt { get; set; }

        /// <summary>The periods some day of which was spent past the grace period (or cancelled by dunning).</summary>
        public List<UsagePeriod> FallBacks { get; } = [];

        public bool FellBack(UsagePeriod period) => FallBacks.Any(p => p.Key == period.Key);

        public bool CancelScheduled { get; set; }

        public DateTimeOffset? TrialStart { get; set; }

        public DateTimeOffset? TrialEnd { get; set; }

        public bool TrialRetried { get; set; }

        /// <summary>What happened to the account, for failure messages.</summary>
        public List<string> Log { get; } = [];

        public List<SimAddOn> AddOns { get; } = [];

        /// <summary>PRO's runs beyond its included 1,000 counted while PRO applied, per period.</summary>
        public Dictionary<UsagePeriodKey, long> ProOverRuns { get; } = [];

        /// <summary>The periods whose run's credit was checked against the rule.</summary>
        public HashSet<UsagePeriodKey> Modelled { get; } = [];

        /// <summary>Credit taken back by refunds.</summary>
        public long Refunded { get; set; }
    }

    /// <summary>An add-on of agent runs bought in <see cref="Period"/>, for it or expiring inside it.</summary>
    private sealed record SimAddOn(string PaymentIntentId, long Units, DateTimeOffset GrantedAt, DateTimeOffset? ExpiresAt, UsagePeriod Period)
    {
        public DateTimeOffset? RevokedAt { get; set; }

        /// <summary>What it covered, once it stopped applying.</summary>
        public long? Covered { get; set; }

        /// <summary>When it stops applying if not refunded.</summary>
        public DateTimeOffset PlannedEnd => ExpiresAt ?? Period.End;

        /// <summary>Refunded or expired inside its period (null: applies to its end).</summary>
        public DateTimeOffset? StoppedAt => RevokedAt is { } refunded && !(ExpiresAt <= refunded) ? refunded : ExpiresAt;
    }

    private sealed record SimGrant(string GrantId, string PaymentIntentId, long Amount, DateTimeOffset GrantedAt, DateTimeOffset? ExpiresAt)
    {
        public long Remaining { get; set; }

        public bool Reversed { get; set; }
    }
}
