namespace Billing.Application.Usage;

/// <summary>
/// A new end for a usage period (<see cref="IUsageLedger.MovePeriodEndAsync"/>) and the account state it comes from.
/// The counters remember the account version their end was set from, so whichever order two moves land in, the period
/// ends where the newest account state has it: Stripe ending the period (a cancellation, a restarted or shortened
/// period) always applies, and the invoice job's later end, worked out from an account it read before that change was
/// stored, is refused instead of writing over it.
/// </summary>
public sealed record PeriodEndMove
{
    private PeriodEndMove(DateTimeOffset newEnd, long accountVersion, bool endedByStripe)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(accountVersion);
        (NewEnd, AccountVersion, EndedByStripe) = (newEnd, accountVersion, endedByStripe);
    }

    public DateTimeOffset NewEnd { get; }

    /// <summary>The account version whose state has <see cref="NewEnd"/>, stamped on the counters (never lowered).</summary>
    public long AccountVersion { get; }

    /// <summary>Stripe ended the period there: applied whatever version set the counters' end.</summary>
    public bool EndedByStripe { get; }

    /// <summary>
    /// Stripe's snapshot ends the period at <paramref name="end"/> (<c>EndedEarly</c>): applied always, before the
    /// account that says so is stored; <paramref name="accountVersion"/> is the version that change is stored as at the
    /// earliest (the version it was decided on + 1), or the version it was stored as.
    /// </summary>
    public static PeriodEndMove Ended(DateTimeOffset end, long accountVersion) => new(end, accountVersion, endedByStripe: true);

    /// <summary>
    /// The account at <paramref name="accountVersion"/> still has the period current, ending at <paramref name="end"/>
    /// (the invoice job): refused when the counters' end was set from that version or a newer one, since then a state at
    /// least as new as the one read set it (at the same version: one that Stripe ended the period in and was stored
    /// later, or this very move).
    /// </summary>
    public static PeriodEndMove StillCurrent(DateTimeOffset end, long accountVersion) => new(end, accountVersion, endedByStripe: false);

    /// <summary>
    /// Whether this move may write over counters ending at <paramref name="currentEnd"/> whose end was set from
    /// <paramref name="setFromVersion"/> (null: the first count's estimate, or counters written before it was kept).
    /// </summary>
    public bool AppliesOver(DateTimeOffset currentEnd, long? setFromVersion) =>
        EndedByStripe || currentEnd == NewEnd || setFromVersion is not { } version || version < AccountVersion;

    /// <summary>The version to stamp on the counters: the newer of theirs and this move's.</summary>
    public long StampOver(long? setFromVersion) => Math.Max(setFromVersion ?? 0, AccountVersion);
}
