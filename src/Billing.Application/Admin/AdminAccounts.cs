using Billing.Application.Accounts;
using Billing.Application.Credits;
using Billing.Application.Entitlements;
using Billing.Application.Invoicing;
using Billing.Application.Outcomes;
using Billing.Application.Payments;
using Billing.Application.Subscriptions;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;

namespace Billing.Application.Admin;

/// <summary>The filters and cursor of <c>GET /api/billing/admin/accounts</c>.</summary>
public sealed record AdminAccountListRequest(string? Plan = null, string? Status = null, string? Query = null, string? Cursor = null, int? Limit = null);

/// <summary>One account of the listing, as it is now: its summary, entitlement, current usage against limits and credit.</summary>
public sealed record AdminAccountRow(AccountSummary Summary, Entitlement Entitlement, UsagePeriodReport Usage, AdminCredits Credits);

/// <summary>A page of accounts in account id order; <paramref name="NextCursor"/> is null on the last page.</summary>
public sealed record AdminAccountPage(IReadOnlyList<AdminAccountRow> Accounts, string? NextCursor, DateTimeOffset AsOf);

/// <summary>
/// The credit part of an admin answer: the ledger's balance and entries, or why they could not be read now (the
/// ledger stayed contended); the rest of the view is answered either way.
/// </summary>
public sealed record AdminCredits(bool Available, AccountCredits? Credits, string? Unavailable);

/// <summary>
/// The subscription as Stripe has it now: <paramref name="Reachable"/> false with <paramref name="Error"/> when Stripe
/// could not be asked (the rest of the view is still answered); <paramref name="Asked"/> false when the account has no
/// Stripe subscription or customer to ask about.
/// </summary>
public sealed record StripeSubscriptionsNow(bool Asked, bool Reachable, IReadOnlyList<SubscriptionSnapshot> Subscriptions, string? Error);

/// <summary>Everything about one account for an operator.</summary>
public sealed record AdminAccountDetail
{
    public required BillingAccount Account { get; init; }

    public required AccountSummary Summary { get; init; }

    public required Entitlement Entitlement { get; init; }

    public required StripeSubscriptionsNow Stripe { get; init; }

    /// <summary>The current period's usage against limits.</summary>
    public required UsagePeriodReport CurrentUsage { get; init; }

    /// <summary>The periods with usage that started in the last <see cref="AdminAccounts.UsageMonths"/> months, newest first.</summary>
    public required IReadOnlyList<UsagePeriodReport> Usage { get; init; }

    public required IReadOnlyList<InvoiceRun> Invoices { get; init; }

    public required AdminCredits Credits { get; init; }

    public required IReadOnlyList<AccountStripeEvent> Events { get; init; }

    public required DateTimeOffset AsOf { get; init; }
}

/// <summary>
/// The operators' account views. The listing is one query of the account index (<see cref="IAccountDirectory"/>) and,
/// per row of the (bounded) page, point reads of the account, its current usage counters and its credit balance: no
/// scan. The detail reads one account: point reads and queries inside its partition, and Stripe through the adapter.
/// A summary found behind the account (a missed write-behind, or time moved the plan) is recorded again.
/// </summary>
public sealed class AdminAccounts(
    IAccountDirectory directory,
    IBillingAccountStore accounts,
    AccountEntitlements entitlements,
    IUsageLedger usage,
    IInvoiceRunStore runs,
    IStripeEventHistory events,
    IStripeSubscriptionSource stripe,
    PlanCatalog catalog,
    TimeProvider time,
    CreditsOverview credits)
{
    public const int UsageMonths = 6;
    public const int MaxInvoices = 24;
    public const int MaxEvents = 20;
    public const int MaxCreditEntries = 20;

    internal const string Listing = "accounts";

    public async Task<Outcome<AdminAccountPage>> ListAsync(AdminAccountListRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        string? plan = null;
        if (!string.IsNullOrEmpty(request.Plan))
        {
            if (PlanCode.TryParse(request.Plan, out var code) && catalog.Find(code) is not null)
            {
                plan = code.Value;
            }
            else
            {
                errors.Add("plan", $"Use one of the catalog's plans: {string.Join(", ", catalog.Plans.Select(p => p.Code.Value))}.");
            }
        }

        var status = AdminListing.Status(request.Status, errors);
        var search = request.Query?.Trim();
        if (search is { Length: > AdminListing.MaxSearchLength })
        {
            errors.Add("q", $"At most {AdminListing.MaxSearchLength} characters.");
        }

        search = string.IsNullOrEmpty(search) ? null : search.ToLowerInvariant();
        var after = Paging.After(Listing, request.Cursor, errors, null, ("plan", plan), ("status", status), ("q", search));
        var size = Paging.Size(request.Limit, AdminListing.DefaultPageSize, AdminListing.MaxPageSize, errors);
        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<AdminAccountPage>(errors);
        }

        var page = await directory.ListAsync(new AccountDirectoryQuery(plan, status, search, after, size!.Value), cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var rows = await Task.WhenAll(page.Items.Select(s => RowAsync(s, now, cancellationToken))).ConfigureAwait(false);
        var next = page.HasMore && page.Items.Count > 0
            ? Paging.Next(Listing, page.Items[^1].AccountId.Value, ("plan", plan), ("status", status), ("q", search))
            : null;
        return Outcome.Succeeded(new AdminAccountPage(rows, next, now));
    }

    public async Task<Outcome<AdminAccountDetail>> GetAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return Outcome.Refused<AdminAccountDetail>(RefusalReason.AccountNotFound, $"Billing account '{accountId}' does not exist.");
        }

        var now = time.GetUtcNow();
        var entitlement = entitlements.Evaluate(account, now);
        var summary = AccountSummary.Of(account, entitlement);
        await directory.RecordAsync(summary, cancellationToken).ConfigureAwait(false);

        var stripeNow = AskStripeAsync(account, cancellationToken);
        var current = usage.GetAsync(accountId, entitlement.PeriodKey, cancellationToken);
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var periods = usage.ListStartedAsync(accountId, monthStart.AddMonths(-UsageMonths + 1), now.AddDays(1), cancellationToken);
        var invoices = runs.ListInvoicedAsync(accountId, after: null, MaxInvoices, cancellationToken);
        var history = events.ListRecentAsync(accountId, MaxEvents, cancellationToken);
        var credit = CreditsAsync(accountId, MaxCreditEntries, cancellationToken);

        return Outcome.Succeeded(new AdminAccountDetail
        {
            Account = account,
            Summary = summary,
            Entitlement = entitlement,
            Stripe = await stripeNow.ConfigureAwait(false),
            CurrentUsage = Current(entitlement, await current.ConfigureAwait(false)),
            Usage = [.. (await periods.ConfigureAwait(false)).OrderByDescending(c => c.Period.Start).Select(Past)],
            Invoices = await invoices.ConfigureAwait(false),
            Credits = await credit.ConfigureAwait(false),
            Events = await history.ConfigureAwait(false),
            AsOf = now,
        });
    }

    private async Task<AdminAccountRow> RowAsync(AccountSummary indexed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAsync(indexed.AccountId, cancellationToken).ConfigureAwait(false)
                      ?? BillingAccount.Open(indexed.AccountId, indexed.CreatedAt);
        var entitlement = entitlements.Evaluate(account, now);
        var summary = AccountSummary.Of(account, entitlement);
        if (indexed.IsBehind(summary))
        {
            await directory.RecordAsync(summary, cancellationToken).ConfigureAwait(false);
        }

        var counters = usage.GetAsync(account.Id, entitlement.PeriodKey, cancellationToken);
        var credit = CreditsAsync(account.Id, 0, cancellationToken);
        return new AdminAccountRow(summary, entitlement, Current(entitlement, await counters.ConfigureAwait(false)), await credit.ConfigureAwait(false));
    }

    private async Task<StripeSubscriptionsNow> AskStripeAsync(BillingAccount account, CancellationToken cancellationToken)
    {
        try
        {
            if (account.Subscription is { } stored)
            {
                var snapshot = await stripe.GetSubscriptionAsync(stored.SubscriptionId, cancellationToken).ConfigureAwait(false);
                return new StripeSubscriptionsNow(Asked: true, Reachable: true, snapshot is null ? [] : [snapshot], null);
            }

            if (account.StripeCustomerId is { } customer)
            {
                var live = await stripe.ListCustomerSubscriptionsAsync(customer, includeEnded: false, cancellationToken).ConfigureAwait(false);
                return new StripeSubscriptionsNow(Asked: true, Reachable: true, live, null);
            }

            return new StripeSubscriptionsNow(Asked: false, Reachable: true, [], null);
        }
        catch (PaymentProviderException exception)
        {
            return new StripeSubscriptionsNow(Asked: true, Reachable: false, [], exception.Message);
        }
    }

    private async Task<AdminCredits> CreditsAsync(AccountId accountId, int entries, CancellationToken cancellationToken)
    {
        try
        {
            return new AdminCredits(true, await credits.ForOperatorAsync(accountId, entries, cancellationToken).ConfigureAwait(false), null);
        }
        catch (CreditLedgerContentionException exception)
        {
            return new AdminCredits(false, null, exception.Message);
        }
    }

    /// <summary>The current period as the account's entitlement has it now: its plan, its add-ons, what lapsed ones covered.</summary>
    private UsagePeriodReport Current(Entitlement entitlement, UsageCounters? counters) =>
        new(entitlement.Period, entitlement.Plan, [.. catalog.Meters.Select(meter => MeterUsage.From(entitlement.PolicyFor(meter), counters is null ? null : entitlement.CountersNow(counters), catalog))]);

    /// <summary>A period as its plan priced it.</summary>
    private UsagePeriodReport Past(UsageCounters counters)
    {
        var plan = (counters.Plan is { } code ? catalog.Find(code) : null) ?? catalog.FreePlan;
        return new(counters.Period, plan, [.. catalog.Meters.Select(meter => MeterUsage.From(plan.PolicyFor(meter), counters, catalog))]);
    }
}
