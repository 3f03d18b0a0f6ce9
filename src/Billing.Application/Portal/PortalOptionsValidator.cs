using Billing.Application.Redirects;
using Microsoft.Extensions.Options;

namespace Billing.Application.Portal;

public sealed class PortalOptionsValidator : IValidateOptions<PortalOptions>
{
    public ValidateOptionsResult Validate(string? name, PortalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return RedirectUrls.Problem(options.ReturnUrl) is { } problem
            ? ValidateOptionsResult.Fail($"{PortalOptions.SectionName}:ReturnUrl '{options.ReturnUrl}': {problem}")
            : ValidateOptionsResult.Success;
    }
}
