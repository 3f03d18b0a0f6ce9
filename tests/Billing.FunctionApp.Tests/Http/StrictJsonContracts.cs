using System.Text.Json;
using Billing.FunctionApp.Http;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>A body with whole-number and timestamp members.</summary>
internal sealed record MeterReading
{
    public string? MeterId { get; init; }

    public long Quantity { get; init; }

    public long? Limit { get; init; }

    public int? Retries { get; init; }

    public DateTimeOffset? OccurredAt { get; init; }
}

/// <summary>A body with a non-nullable timestamp and a capped string array.</summary>
internal sealed record Window
{
    public DateTimeOffset Start { get; init; }

    [MaxItems(2)]
    public IReadOnlyList<string>? Labels { get; init; }
}

/// <summary>A batch body: its records are checked one by one with <see cref="StrictJsonBody.ReadElement{T}"/>.</summary>
internal sealed record UsageBatch
{
    [MaxItems(100)]
    public IReadOnlyList<JsonElement>? Records { get; init; }
}

/// <summary>A batch body as a plain array of elements, without a cap.</summary>
internal sealed record UncappedBatch
{
    public JsonElement[]? Records { get; init; }
}

/// <summary>One record of a <see cref="UsageBatch"/>.</summary>
internal sealed record UsageRecord
{
    public required string IdempotencyKey { get; init; }

    public long? Quantity { get; init; }

    public DateTimeOffset? OccurredAt { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }
}
