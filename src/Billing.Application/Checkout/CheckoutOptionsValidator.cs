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

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
