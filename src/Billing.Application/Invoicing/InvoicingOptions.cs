using Microsoft.Extensions.Options;

namespace Billing.Application.Invoicing;

/// <summary>Usage invoicing (section <c>Billing:Invoicing</c>).</summary>
public sealed class InvoicingOptions
{
    public const string SectionName = "Billing:Invoicing";

    /// <summary>How many days back the timer looks for closed periods not invoiced yet (it normally finds yesterday's).</summary>
    public int LookbackDays { get; set; } = 35;

    /// <summary>The longest look-back: the setting's bound, and how far back a run catching up after an outage reads.</summary>
    public const int MaxLookbackDays = 400;

    /// <summary>
    /// How long after its end a usage period is first invoiced. A record's period is chosen when its call reads the
    /// account's limits, and the record is counted when the store takes it, which may be later: a slow or throttled call
    /// (bounded by host.json's <c>functionTimeout</c>, 5 minutes), or an instance whose clock runs behind. A period
    /// priced at once could still get units after its invoice was computed, counted and never billed; from its end plus
    /// this time on, nothing more reaches it. Default 10 minutes; 0 to 1 day.
    /// </summary>
    public TimeSpan SettleTime { get; set; } = DefaultSettleTime;

    public static readonly TimeSpan DefaultSettleTime = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan MaxSettleTime = TimeSpan.FromDays(1);

    /// <summary>
    /// The first closing day the timer's run at <paramref name="now"/> looks at: <see cref="LookbackDays"/> before the day
    /// it was <see cref="SettleTime"/> ago. Counting back from the settle time, not from today, keeps a period that closed
    /// late in a day and had not settled at one day's run inside the next day's window, whatever the schedule (a run
    /// just after midnight) and however short the window.
    /// </summary>
    public DateOnly FirstDaySwept(DateTimeOffset now) => DateOnly.FromDateTime((now - SettleTime).UtcDateTime).AddDays(-LookbackDays);

    /// <summary>Whether a period ending at <paramref name="periodEnd"/> is invoiced at <paramref name="now"/> (it closed <see cref="SettleTime"/> ago at least).</summary>
    public bool IsSettled(DateTimeOffset periodEnd, DateTimeOffset now) => periodEnd + SettleTime <= now;

    /// <summary>
    /// Development only: the n-th delivery of every job fails at the n-th of these points, so tests can prove that a
    /// run resumes from each. A step name (<c>Computed</c>, <c>CreditApplied</c>, <c>DraftCreated</c>, <c>ItemsCreated</c>, <c>Finalized</c>)
    /// fails right after that step was saved; with <c>Unsaved</c> appended (<c>DraftCreatedUnsaved</c>) it fails after
    /// Stripe did the step but before it was saved (a crash between the two). Refused at start-up outside Development.
    /// </summary>
    public string[]? FailOnceAt { get; set; }

    public const string UnsavedSuffix = "Unsaved";

    public static bool IsFaultPoint(string point) =>
        (point.EndsWith(UnsavedSuffix, StringComparison.Ordinal) ? point[..^UnsavedSuffix.Length] : point) is var name
        && Enum.TryParse<InvoiceRunStep>(name, out var step)
        && string.Equals(step.ToString(), name, StringComparison.Ordinal) // a step's name, never a number, list or padded name that matches no point
        && step is InvoiceRunStep.Computed or InvoiceRunStep.CreditApplied or InvoiceRunStep.DraftCreated or InvoiceRunStep.ItemsCreated or InvoiceRunStep.Finalized
        && !(step == InvoiceRunStep.Computed && point.EndsWith(UnsavedSuffix, StringComparison.Ordinal));

    /// <summary>Set by the host from its environment; <see cref="FailOnceAt"/> needs it.</summary>
    public bool AllowTestFaults { get; set; }
}

public sealed class InvoicingOptionsValidator : IValidateOptions<InvoicingOptions>
{
    public ValidateOptionsResult Validate(string? name, InvoicingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.LookbackDays is < 1 or > InvoicingOptions.MaxLookbackDays)
        {
            errors.Add($"{InvoicingOptions.SectionName}:LookbackDays must be between 1 and {InvoicingOptions.MaxLookbackDays}; got {options.LookbackDays}.");
        }

        if (options.SettleTime < TimeSpan.Zero || options.SettleTime > InvoicingOptions.MaxSettleTime)
        {
            errors.Add($"{InvoicingOptions.SectionName}:SettleTime must be between 00:00:00 and {InvoicingOptions.MaxSettleTime}; got {options.SettleTime}.");
        }

        if (options.FailOnceAt is { Length: > 0 } points)
        {
            if (!options.AllowTestFaults)
            {
                errors.Add($"{InvoicingOptions.SectionName}:FailOnceAt injects failures for tests and is only accepted in the Development environment.");
            }

            errors.AddRange(points.Where(p => !InvoicingOptions.IsFaultPoint(p)).Select(p =>
                $"{InvoicingOptions.SectionName}:FailOnceAt: '{p}' is not a fault point (Computed, CreditApplied, DraftCreated, ItemsCreated, Finalized, or one of the last four + {InvoicingOptions.UnsavedSuffix})."));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
