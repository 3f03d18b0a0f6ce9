namespace Billing.FunctionApp.Admin;

/// <summary>Which poison messages to move back: those of <see cref="EventIds"/>, or every message with <see cref="All"/>.</summary>
public sealed record PoisonReplayRequest
{
    public IReadOnlyList<string>? EventIds { get; init; }

    public bool? All { get; init; }
}
