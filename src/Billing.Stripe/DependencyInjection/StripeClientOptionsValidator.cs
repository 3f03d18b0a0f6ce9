using Microsoft.Extensions.Options;

namespace Billing.Stripe.DependencyInjection;

/// <summary>Reports every problem of <see cref="StripeClientOptions"/> with a clear message.</summary>
internal sealed class StripeClientOptionsValidator : IValidateOptions<StripeClientOptions>
{
    public ValidateOptionsResult Validate(string? name, StripeClientOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
