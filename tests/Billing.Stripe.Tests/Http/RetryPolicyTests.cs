using Billing.Stripe.Http;

namespace Billing.Stripe.Tests.Http;

public sealed class RetryPolicyTests
{
    [Theory]
    [InlineData(1, 0.75, 500)] // 375 lifted to the floor
    [InlineData(1, 0.999, 500)]
    [InlineData(2, 0.75, 750)]
    [InlineData(2, 0.9, 900)]
    [InlineData(3, 0.8, 1600)]
    [InlineData(4, 0.75, 3000)]
    [InlineData(5, 0.9, 4500)] // 8 s capped at 5 s, then jitter
    [InlineData(30, 0.99, 4950)]
    public void Delay_doubles_from_500ms_is_capped_at_5s_jittered_and_never_under_500ms(int retry, double jitter, double expectedMs)
    {
        Assert.Equal(expectedMs, StripeRetryPolicy.Delay(retry, jitter).TotalMilliseconds, precision: 6);
    }

    [Fact]
    public void Jitter_stays_in_three_quarters_to_one()
    {
        var samples = Enumerable.Range(0, 2000).Select(_ => StripeRetryPolicy.NextJitter()).ToList();

        Assert.All(samples, j => Assert.InRange(j, 0.75, 0.99999999));
        Assert.True(samples.Distinct().Count() > 100, "jitter should vary");
    }
}
