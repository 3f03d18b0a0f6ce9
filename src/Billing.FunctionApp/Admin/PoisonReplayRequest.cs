namespace Billing.FunctionApp.Admin;

/// <summary>
/// Which poison messages to move back: those of <see cref="EventIds"/> (the Stripe events queue) or of
/// <see cref="RunIds"/> (the invoice jobs queue, <c>{accountId}:{periodKey}</c>), or every message with <see cref="All"/>.
/// </summary>
public sealed record PoisonReplayRequest
{
    public IReadOnlyList<string>? EventIds { get; init; }

    public IReadOnlyList<string>? RunIds { get; init; }

    public bool? All { get; init; }
}
