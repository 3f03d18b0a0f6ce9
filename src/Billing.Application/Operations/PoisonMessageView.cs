using System.Text.Json.Serialization;

namespace Billing.Application.Operations;

/// <summary>
/// A poison message with what the store knows of its work: for the Stripe events queue the stored event, for the
/// invoice jobs queue the invoice run (<see cref="RunId"/>, <see cref="PeriodKey"/>; <see cref="Status"/> is the run's
/// step, <see cref="LastAttemptAt"/> its last save).
/// </summary>
public sealed record PoisonMessageView
{
    public required string MessageId { get; init; }

    public required DateTimeOffset InsertedOn { get; init; }

    public string? EventId { get; init; }

    public string? EventType { get; init; }

    /// <summary>The stored event's status (received, processing, applied, ignored, failed), or the run's step (computed, draftCreated, ...); null when not stored.</summary>
    public string? Status { get; init; }

    public int? Attempts { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    public string? AccountId { get; init; }

    /// <summary>The stored event's note: its last failure, or why it was ignored.</summary>
    public string? Note { get; init; }

    /// <summary>Stripe events only: the id of the event's object (<c>data.object.id</c>: sub_..., in_..., cs_...).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ObjectId { get; init; }

    /// <summary>
    /// Stripe events only: the Stripe customer of the event's object (<c>data.object.customer</c>, or the object itself
    /// when it is a customer), so an event never mapped to an account can still be traced to one.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CustomerId { get; init; }

    /// <summary>The invoice run a job is about (<c>{accountId}:{periodKey}</c>), what replay selects it by; absent for Stripe events.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RunId { get; init; }

    /// <summary>The usage period an invoice job is about; absent for Stripe events.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PeriodKey { get; init; }

    /// <summary>Why the message cannot be processed at all (not an event reference or invoice job, event not stored); null otherwise.</summary>
    public string? Problem { get; init; }
}
