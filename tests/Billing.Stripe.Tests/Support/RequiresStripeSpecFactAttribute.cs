using Billing.TestSupport;

namespace Billing.Stripe.Tests.Support;

/// <summary>A fact that is skipped (with the reason shown) when ../shared/stripe is not available.</summary>
public sealed class RequiresStripeSpecFactAttribute : FactAttribute
{
    public RequiresStripeSpecFactAttribute()
    {
        if (RepoPaths.SharedStripeDir is null)
        {
            Skip = StripeSharedFiles.MissingMessage;
        }
    }
}
