using Billing.Application.Redirects;
using Microsoft.Extensions.Options;

namespace Billing.Application.Checkout;

public sealed class CheckoutOptionsValidator : IValidateOptions<CheckoutOptions>
{
    public ValidateOptionsResult Validate(string? name, CheckoutOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (RedirectUrls.Problem(options.SuccessUrl) is { } success)
        {
            errors.Add($"{CheckoutOptions.SectionName}:SuccessUrl '{options.SuccessUrl}': {success}");
        }

        if (RedirectUrls.Problem(options.CancelUrl) is { } cancel)
        {
            errors.Add($"{CheckoutOptions.SectionName}:CancelUrl '{options.CancelUrl}': {cancel}");
        }

        if (options.SessionLifetime < TimeSpan.FromMinutes(30) || options.SessionLifetime > TimeSpan.FromHours(24))
        {
            errors.Add($"{CheckoutOptions.SectionName}:SessionLifetime must be between 00:30:00 and 1.00:00:00 (Stripe's limits); got {options.SessionLifetime}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
