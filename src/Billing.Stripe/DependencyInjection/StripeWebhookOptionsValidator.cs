using Billing.Stripe.Webhooks;
using Microsoft.Extensions.Options;

namespace Billing.Stripe.DependencyInjection;

/// <summary>Reports every problem of <see cref="StripeWebhookOptions"/> with a clear message.</summary>
internal sealed class StripeWebhookOptionsValidator : IValidateOptions<StripeWebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, StripeWebhookOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
