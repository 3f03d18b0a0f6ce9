namespace Billing.Application.Outcomes;

/// <summary>
/// Why a use case refused, with a sentence the caller can show (no internal details) and, where the caller can act
/// on them, machine-readable <see cref="Facts"/> (for a quota: the meter, the limit, the plan that allows more).
/// </summary>
public sealed record Refusal(RefusalReason Reason, string Detail)
{
    /// <summary>Extra members of the problem answer, keyed by their camelCase JSON name; empty for most refusals.</summary>
    public IReadOnlyDictionary<string, object?> Facts { get; init; } = new Dictionary<string, object?>(StringComparer.Ordinal);
}
