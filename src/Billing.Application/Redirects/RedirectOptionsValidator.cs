using Microsoft.Extensions.Options;

namespace Billing.Application.Redirects;

public sealed class RedirectOptionsValidator : IValidateOptions<RedirectOptions>
{
    public ValidateOptionsResult Validate(string? name, RedirectOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.AllowedOrigins.Count; i++)
        {
            if (!RedirectUrls.TryParseOrigin(options.AllowedOrigins[i], out _))
            {
                errors.Add($"{RedirectOptions.SectionName}:AllowedOrigins:{i} '{options.AllowedOrigins[i]}' is not an origin: use scheme://host[:port] with http or https and no path, e.g. https://app.example.com.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
