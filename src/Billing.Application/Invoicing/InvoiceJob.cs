using System.Text.Json;
using System.Text.Json.Serialization;
using Billing.Application.StripeEvents;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Invoicing;

/// <summary>
/// One message of the <c>invoice-jobs</c> queue: invoice one account's closed usage period. The job is the run it
/// makes (account and period: equal jobs are the same run); <see cref="PeriodEnd"/> only says where its index entry is.
/// </summary>
public sealed record InvoiceJob(AccountId AccountId, UsagePeriodKey PeriodKey)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The period's end as the closing-day index listed it (the day its entry is on), so a job that finds no counters can
    /// settle the entry; null in a message of an earlier version or one sent by hand.
    /// </summary>
    public DateTimeOffset? PeriodEnd { get; init; }

    /// <summary>The run's id: the same for every delivery of the job, part of every Stripe idempotency key and metadata.</summary>
    public string RunId => $"{AccountId.Value}:{PeriodKey.Value}";

    /// <summary>The job a run id (<c>{accountId}:{periodKey}</c>) stands for; period keys never contain a colon, so the last one splits.</summary>
    public static bool TryParseRunId(string? runId, out InvoiceJob job)
    {
        job = null!;
        var colon = runId?.LastIndexOf(':') ?? -1;
        if (colon <= 0 || !AccountId.TryParse(runId![..colon], out var accountId, out _) || !UsagePeriodKey.TryParse(runId[(colon + 1)..], out var periodKey))
        {
            return false;
        }

        job = new InvoiceJob(accountId, periodKey);
        return true;
    }

    public string ToJson() => JsonSerializer.Serialize(new Wire { AccountId = AccountId.Value, PeriodKey = PeriodKey.Value, PeriodEnd = PeriodEnd }, Json);

    public bool Equals(InvoiceJob? other) => other is not null && AccountId == other.AccountId && PeriodKey == other.PeriodKey;

    public override int GetHashCode() => HashCode.Combine(AccountId, PeriodKey);

    /// <summary>Parses and validates a queue message; throws <see cref="InvalidQueueMessageException"/> for anything else.</summary>
    public static InvoiceJob Parse(string text)
    {
        Wire? wire;
        try
        {
            wire = JsonSerializer.Deserialize<Wire>(text, Json);
        }
        catch (JsonException exception)
        {
            throw new InvalidQueueMessageException("The message is not a JSON invoice job.", exception);
        }

        if (wire is null || !AccountId.TryParse(wire.AccountId, out var accountId, out _) || !UsagePeriodKey.TryParse(wire.PeriodKey, out var periodKey))
        {
            throw new InvalidQueueMessageException("The message has no valid accountId and periodKey.");
        }

        return new InvoiceJob(accountId, periodKey) { PeriodEnd = wire.PeriodEnd };
    }

    private sealed record Wire
    {
        [JsonPropertyName("accountId")]
        public string? AccountId { get; init; }

        [JsonPropertyName("periodKey")]
        public string? PeriodKey { get; init; }

        [JsonPropertyName("periodEnd")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public DateTimeOffset? PeriodEnd { get; init; }
    }
}
