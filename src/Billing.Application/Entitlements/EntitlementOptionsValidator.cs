using Microsoft.Extensions.Options;

namespace Billing.Application.Entitlements;

public sealed class EntitlementOptionsValidator : IValidateOptions<EntitlementOptions>
{
    public ValidateOptionsResult Validate(string? name, EntitlementOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PastDueGracePeriod < TimeSpan.Zero || options.PastDueGracePeriod > EntitlementOptions.MaxPastDueGracePeriod)
        {
            return ValidateOptionsResult.Fail(
                $"{EntitlementOptions.SectionName}:PastDueGracePeriod must be between 00:00:00 and {EntitlementOptions.MaxPastDueGracePeriod.TotalDays} days (e.g. \"7.00:00:00\"); got {options.PastDueGracePeriod}.");
        }

        return ValidateOptionsResult.Success;
    }
}
