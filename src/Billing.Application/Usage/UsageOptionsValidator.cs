using Billing.Domain.Metering;
using Microsoft.Extensions.Options;

namespace Billing.Application.Usage;

public sealed class UsageOptionsValidator : IValidateOptions<UsageOptions>
{
    public ValidateOptionsResult Validate(string? name, UsageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var section = UsageOptions.SectionName;
        if (options.LateWindow < TimeSpan.FromMinutes(1) || options.LateWindow > TimeSpan.FromDays(31))
        {
            errors.Add($"{section}:LateWindow must be between 00:01:00 and 31.00:00:00; got {options.LateWindow}.");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{section}:ClockSkew must be between 00:00:00 and 00:10:00; got {options.ClockSkew}.");
        }

        if (options.Thresholds?.Any(t => t is < 1 or > 100) == true)
        {
            errors.Add($"{section}:Thresholds must be percentages from 1 to 100; got {string.Join(", ", options.Thresholds)}.");
        }

        // No usage period is longer than UsagePeriod.LongestLength (longer windows are counted in monthly slices).
        var shortestRetention = options.LateWindow + UsagePeriod.LongestLength;
        if (options.KeyRetention < shortestRetention || options.KeyRetention > TimeSpan.FromDays(400))
        {
            errors.Add($"{section}:KeyRetention must cover a whole period plus the late window (at least {shortestRetention.TotalDays} days) and be at most 400 days; got {options.KeyRetention}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
