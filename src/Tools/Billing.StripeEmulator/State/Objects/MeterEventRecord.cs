namespace Billing.StripeEmulator.State.Objects;

internal sealed class MeterEventRecord
{
    public required string Identifier { get; init; }

    public required string EventName { get; init; }

    public required long Created { get; init; }

    public required long Timestamp { get; init; }

    public required IReadOnlyDictionary<string, string> Payload { get; init; }
}
