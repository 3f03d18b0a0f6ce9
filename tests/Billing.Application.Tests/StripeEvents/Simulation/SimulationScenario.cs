using Billing.Application.Tests.Fakes;

namespace Billing.Application.Tests.StripeEvents.Simulation;

/// <summary>A named sequence of Stripe-side changes, played one step at a time.</summary>
internal sealed record SimulationScenario(string Name, Func<FakeStripe, ScenarioState, IReadOnlyList<Action>> Steps)
{
    public override string ToString() => Name;
}
