namespace Billing.StripeEmulator.Tests.ClientCompatibility.Support;

/// <summary>The client compatibility tests share one emulator process and run one after the other (each resets it).</summary>
[CollectionDefinition(Name)]
public sealed class SharedEmulator : ICollectionFixture<ClientEmulatorFixture>
{
    public const string Name = "Stripe client against the emulator";
}
