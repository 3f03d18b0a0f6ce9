namespace Billing.Stripe.Tests;

public sealed class SkeletonTests
{
    [Fact]
    public void Builds() => Assert.True(true);
}
