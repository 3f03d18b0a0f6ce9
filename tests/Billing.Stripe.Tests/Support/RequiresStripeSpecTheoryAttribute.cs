using Billing.TestSupport;

namespace Billing.Stripe.Tests.Support;

/// <summary>A theory that is skipped (with the reason shown) when ../shared/stripe is not available.</summary>
public sealed class RequiresStripeSpecTheoryAttribute : TheoryAttribute
{
    public RequiresStripeSpecTheoryAttribute()
    {
        if (RepoPaths.SharedStripeDir is null)
        {
            Skip = StripeSharedFiles.MissingMessage;
        }
    }
}
