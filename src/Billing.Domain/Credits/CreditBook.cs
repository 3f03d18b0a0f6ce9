using System.Security.Cryptography;
using System.Text;
using Billing.Domain.Accounts;
using Billing.Domain.Pricing;

namespace Billing.Domain.Credits;

/// <summary>What <see cref="CreditBook.Apply"/> decided.</summary>
public enum CreditDecisionKind
{
    /// <summary><see cref="CreditDecision.Book"/> holds the entry (with a grant taken back, its reversal too) as <see cref="CreditBook.Pending"/>.</summary>
    Entry = 1,

    /// <summary>Nothing to record (no spendable credit, nothing left of the grant, no grant for the payment).</summary>
    Nothing = 2,

    /// <summary>A negative adjustment larger than the spendable balance.</summary>
    InsufficientCredit = 3,
}

/// <summary>What <see cref="CreditBook.Apply"/> decided; <see cref="Entry"/> is the operation's own (under its key).</summary>
public sealed record CreditDecision(CreditDecisionKind Kind, CreditBook? Book, CreditEntry? Entry, string? Note = null);

/// <summary>
/// The head of an account's credit ledger: every grant with what remains of it, the number of entries applied
/// (<see cref="Version"/>) and the <see cref="Pending"/> entries of the last decision, applied here but not yet written
/// as their own ledger documents. Pure: the store persists it with optimistic concurrency, the ledger service runs the protocol.
/// The balance in a currency is the sum of the grants' remaining amounts, which equals the sum of the entries.
/// </summary>
public sealed record CreditBook
{
    public required AccountId AccountId { get; init; }

    public long Version { get; init; }

    public IReadOnlyList<CreditGrant> Grants { get; init; } = [];

    /// <summary>
    /// The entries of the last decision not yet written out, in sequence: none, one, or a grant made taken back and its
    /// reversal (<see cref="CreditOperation.Grant"/>), which one book write applies together.
    /// </summary>
    public IReadOnlyList<CreditEntry> Pending { get; init; } = [];

    public static CreditBook Empty(AccountId accountId) => new() { AccountId = accountId };

    /// <summary>Spendable now: remaining credit of grants not expired at <paramref name="now"/>.</summary>
    public long Spendable(Currency currency, DateTimeOffset now) => Spendable(currency, now, now);

    /// <summary>
    /// What can pay, at <paramref name="now"/>, charges owed since <paramref name="owedAt"/> (an invoice: the end of its
    /// period, also one still to close): <see cref="CreditGrant.IsSpendableFor"/>.
    /// </summary>
    public long Spendable(Currency currency, DateTimeOffset owedAt, DateTimeOffset now) =>
        Grants.Where(g => g.IsSpendableFor(owedAt, now, currency)).Sum(g => g.Remaining);

    /// <summary>The ledger balance per currency (sum of remaining; expired grants count until their expiry entry is written).</summary>
    public IReadOnlyDictionary<Currency, long> Balances() =>
        Grants.GroupBy(g => g.Currency).ToDictionary(g => g.Key, g => g.Sum(x => x.Remaining));

    /// <summary>
    /// What is spendable now per currency the book holds a grant in (what the customer is shown): the ledger balance less
    /// expired credit whose expiry entry waits for an invoice that may still spend it (<see cref="DueExpiry"/>).
    /// </summary>
    public IReadOnlyDictionary<Currency, long> SpendableBalances(DateTimeOffset now) =>
        Grants.Select(g => g.Currency).Distinct().ToDictionary(c => c, c => Spendable(c, now));

    /// <summary>The grants whose expiry has passed with credit left, the earliest expiry first.</summary>
    public IReadOnlyList<CreditGrant> Expired(DateTimeOffset now) =>
        [.. Grants.Where(g => g.Remaining > 0 && g.IsExpiredAt(now)).OrderBy(g => g.ExpiresAt).ThenBy(g => g.GrantId, StringComparer.Ordinal)];

    /// <summary>
    /// The first expired grant with credit left that none of the spends still to be decided, owed since
    /// <paramref name="owed"/> (invoices of closed periods that have not spent yet), may take
    /// (<see cref="CreditGrant.IsSpendableFor"/>, in any currency: a spend's is known only once its invoice is priced):
    /// its expiry entry is due. One such spend holds the grant's credit for it.
    /// </summary>
    public ExpireGrant? DueExpiry(DateTimeOffset now, IReadOnlyCollection<DateTimeOffset> owed) =>
        Expired(now).Where(g => !owed.Any(owedAt => g.IsSpendableFor(owedAt, now, g.Currency)))
            .Select(g => new ExpireGrant(g.GrantId)).FirstOrDefault();

    /// <summary>The book with the pending entries written out (their own documents exist).</summary>
    public CreditBook Settled() => Pending.Count == 0 ? this : this with { Pending = [] };

    /// <summary>Applies one operation at <paramref name="now"/>. Refuses while an entry is pending: settle it first.</summary>
    public CreditDecision Apply(CreditOperation operation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (Pending.Count > 0)
        {
            throw new InvalidOperationException($"Credit book of {AccountId} has entry {Pending[0].Key} pending; settle it first.");
        }

        return operation switch
        {
            GrantCredit grant => ApplyGrant(grant, now),
            SpendCredit spend => Take(spend.Key, CreditEntryKind.Spend, spend.Currency, spend.UpTo, spend.OwedAt, now, spend.Reference, null, null, allowPartial: true),
            ReverseGrant reverse => ApplyReverse(reverse, now),
            ReinstateGrant reinstate => ApplyReinstate(reinstate, now),
            AdjustCredit { Amount: > 0 } adjust => ApplyGrant(
                new GrantCredit(adjust.Key, AdjustmentGrantId(adjust.Key), adjust.Currency, adjust.Amount, null, "adjustment", null, null, null), now, CreditEntryKind.Adjustment, adjust.Reason, adjust.Operator),
            AdjustCredit adjust => Take(adjust.Key, CreditEntryKind.Adjustment, adjust.Currency, -adjust.Amount, now, now, null, adjust.Reason, adjust.Operator, allowPartial: false),
            ExpireGrant expire => ApplyExpiry(expire, now),
            RestoreSpend restore => ApplyRestore(restore, now),
            _ => throw new ArgumentException($"Unknown credit operation {operation.GetType().Name}.", nameof(operation)),
        };
    }

    private CreditDecision ApplyGrant(GrantCredit grant, DateTimeOffset now, CreditEntryKind kind = CreditEntryKind.Grant, string? reason = null, string? operatorId = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(grant.Amount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(grant.Amount, CreditOperation.MaxAmount);
        if (Grants.Any(g => g.GrantId == grant.GrantId))
        {
            return new CreditDecision(CreditDecisionKind.Nothing, null, null, $"Grant {grant.GrantId} exists already.");
        }

        var added = new CreditGrant
        {
            GrantId = grant.GrantId,
            Currency = grant.Currency,
            Amount = grant.Amount,
            Remaining = grant.Amount,
            GrantedAt = now,
            ExpiresAt = grant.ExpiresAt,
            Source = grant.Source,
            PaymentIntentId = grant.PaymentIntentId,
        };
        var entry = NewEntry(grant.Key, kind, grant.Currency, [new CreditPart(grant.GrantId, grant.Amount)], now, grant.Reference, reason, operatorId);
        var granted = Decided(this with { Grants = [.. Grants, added] }, entry);
        if (grant.Reversal is not { } reversal)
        {
            return granted;
        }

        // Its payment was taken back before it was granted: the grant and its reversal are one decision (one book
        // write), so no write shows the credit spendable; the entries are the grant's and the reversal's as ever.
        var reversed = granted.Book!.Settled().Reverse(added, reversal, now).Book!;
        return new CreditDecision(CreditDecisionKind.Entry, reversed with { Pending = [entry, .. reversed.Pending] }, entry);
    }

    private CreditDecision ApplyReverse(ReverseGrant reverse, DateTimeOffset now)
    {
        var grant = Grants.FirstOrDefault(g => g.PaymentIntentId == reverse.PaymentIntentId);
        if (grant is null)
        {
            return new CreditDecision(CreditDecisionKind.Nothing, null, null, $"No credit grant was paid by {reverse.PaymentIntentId}.");
        }

        if (grant.ReversedAt is not null || grant.Reinstatements != reverse.Reinstatements)
        {
            return new CreditDecision(CreditDecisionKind.Nothing, null, null, $"Grant {grant.GrantId} was taken back already.");
        }

        return Reverse(grant, reverse, now);
    }

    private CreditDecision Reverse(CreditGrant grant, ReverseGrant reverse, DateTimeOffset now)
    {
        // Written also when nothing is left (then for 0): the grant is marked, so a spend given back later skips it.
        var entry = NewEntry(reverse.Key, CreditEntryKind.Reversal, grant.Currency, [new CreditPart(grant.GrantId, -grant.Remaining)], now, reverse.Reference, null, null);
        return Decided(With(grant with { Remaining = 0, ReversedAt = now, ReversedAmount = grant.Remaining }), entry);
    }

    private CreditDecision ApplyReinstate(ReinstateGrant reinstate, DateTimeOffset now)
    {
        var grant = Grants.FirstOrDefault(g => g.PaymentIntentId == reinstate.PaymentIntentId);
        if (grant is not { ReversedAt: not null } || grant.Reinstatements != reinstate.Reinstatements)
        {
            return new CreditDecision(CreditDecisionKind.Nothing, null, null, $"No credit paid by {reinstate.PaymentIntentId} is taken back.");
        }

        // Written also for 0 (all of it was spent before the refund, or it expired since): the grant is no longer
        // reversed, so a later refund of the payment takes it back again and a voided invoice's spend can return to it.
        var back = grant.IsExpiredAt(now) ? 0 : grant.ReversedAmount;
        var reason = back < grant.ReversedAmount ? "The credit expired while it was taken back; nothing is given back." : null;
        var entry = NewEntry(reinstate.Key, CreditEntryKind.Reinstatement, grant.Currency, [new CreditPart(grant.GrantId, back)], now, reinstate.Reference, reason, null);
        return Decided(With(grant with { Remaining = back, ReversedAt = null, ReversedAmount = 0, Reinstatements = grant.Reinstatements + 1 }), entry);
    }

    private CreditDecision ApplyRestore(RestoreSpend restore, DateTimeOffset now)
    {
        var parts = new List<CreditPart>();
        var grants = Grants.ToList();
        foreach (var taken in restore.Spent.Parts.Where(p => p.Amount < 0))
        {
            var index = grants.FindIndex(g => g.GrantId == taken.GrantId);
            if (index < 0 || grants[index] is var grant && grant.IsExpiredAt(now))
            {
                continue;
            }

            var back = Math.Min(-taken.Amount, grant.Amount - grant.Remaining - grant.ReversedAmount);
            if (back <= 0)
            {
                continue;
            }

            if (grant.ReversedAt is null)
            {
                parts.Add(new CreditPart(grant.GrantId, back));
                grants[index] = grant with { Remaining = grant.Remaining + back };
            }
            else
            {
                // Its payment is taken back: nothing is given back now, but the reversal holds it (a part of 0 here), so a
                // refund that fails gives it back with the rest, as if the invoice had been voided before the refund.
                parts.Add(new CreditPart(grant.GrantId, 0));
                grants[index] = grant with { ReversedAmount = grant.ReversedAmount + back };
            }
        }

        // Shown to the customer with the entry: no amounts here (the entry and the spend carry them, in their currency).
        var reason = parts.Sum(p => p.Amount) == -restore.Spent.Amount ? null : "Part of the spend came from credit that has expired or was refunded since; that part is not given back (refunded credit comes back if the refund fails).";
        if (parts.Count == 0)
        {
            return new CreditDecision(CreditDecisionKind.Nothing, null, null, reason ?? "The spend took nothing.");
        }

        var entry = NewEntry(restore.Key, CreditEntryKind.Restore, restore.Spent.Currency, parts, now, restore.Reference, reason, null);
        return Decided(this with { Grants = grants }, entry);
    }

    private CreditDecision ApplyExpiry(ExpireGrant expire, DateTimeOffset now)
    {
        var grant = Grants.FirstOrDefault(g => g.GrantId == expire.GrantId);
        if (grant is not { Remaining: > 0 } || !grant.IsExpiredAt(now))
        {
            return new CreditDecision(CreditDecisionKind.Nothing, null, null, $"Grant {expire.GrantId} has nothing to expire.");
        }

        // The entry is dated at the expiry itself, not when the ledger noticed it.
        var entry = NewEntry(expire.Key, CreditEntryKind.Expiry, grant.Currency, [new CreditPart(grant.GrantId, -grant.Remaining)], grant.ExpiresAt!.Value, null, null, null);
        return Decided(With(grant with { Remaining = 0 }), entry);
    }

    /// <summary>
    /// Takes up to <paramref name="amount"/> from the grants that can pay what is owed since <paramref name="owedAt"/>,
    /// in <see cref="SpendOrder"/>.
    /// </summary>
    private CreditDecision Take(string key, CreditEntryKind kind, Currency currency, long amount, DateTimeOffset owedAt, DateTimeOffset now, string? reference, string? reason, string? operatorId, bool allowPartial)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        if (!allowPartial)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(amount, CreditOperation.MaxAmount); // a spend's "up to" may be anything
        }

        var spendable = Spendable(currency, owedAt, now);
        if (!allowPartial && amount > spendable)
        {
            return new CreditDecision(CreditDecisionKind.InsufficientCredit, null, null, $"Only {spendable} {currency} of credit can be taken.");
        }

        var left = Math.Min(amount, spendable);
        if (left == 0)
        {
            return new CreditDecision(CreditDecisionKind.Nothing, null, null, "No spendable credit.");
        }

        var parts = new List<CreditPart>();
        var grants = Grants.ToList();
        foreach (var grant in SpendOrder(Grants.Where(g => g.IsSpendableFor(owedAt, now, currency))))
        {
            if (left == 0)
            {
                break;
            }

            var taken = Math.Min(left, grant.Remaining);
            left -= taken;
            parts.Add(new CreditPart(grant.GrantId, -taken));
            var index = grants.FindIndex(g => g.GrantId == grant.GrantId);
            grants[index] = grant with { Remaining = grant.Remaining - taken };
        }

        var entry = NewEntry(key, kind, currency, parts, now, reference, reason, operatorId);
        return Decided(this with { Grants = grants }, entry);
    }

    /// <summary>
    /// The order credit is taken in: the grant that expires soonest first (one that never expires last), then the oldest
    /// (grant time, then id), so no credit lapses while credit that would have kept is spent (Stripe applies its own
    /// credit grants by expiry too).
    /// </summary>
    private static IEnumerable<CreditGrant> SpendOrder(IEnumerable<CreditGrant> grants) =>
        grants.OrderBy(g => g.ExpiresAt ?? DateTimeOffset.MaxValue).ThenBy(g => g.GrantedAt).ThenBy(g => g.GrantId, StringComparer.Ordinal);

    /// <summary>
    /// The grant id of a positive adjustment: its key hashed. Grants are shown to the customer, and the key is the
    /// operator's (a ticket reference, say), kept on the entry for operators only.
    /// </summary>
    private static string AdjustmentGrantId(string key) =>
        "adjustment:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..20];

    private CreditBook With(CreditGrant changed) =>
        this with { Grants = [.. Grants.Select(g => g.GrantId == changed.GrantId ? changed : g)] };

    private CreditEntry NewEntry(string key, CreditEntryKind kind, Currency currency, IReadOnlyList<CreditPart> parts, DateTimeOffset at, string? reference, string? reason, string? operatorId) => new()
    {
        Key = key,
        Sequence = Version + 1,
        Kind = kind,
        Currency = currency,
        Amount = parts.Sum(p => p.Amount),
        Parts = parts,
        At = at,
        Reference = reference,
        Reason = reason,
        Operator = operatorId,
    };

    private static CreditDecision Decided(CreditBook book, CreditEntry entry) =>
        new(CreditDecisionKind.Entry, book with { Version = entry.Sequence, Pending = [entry] }, entry);
}
