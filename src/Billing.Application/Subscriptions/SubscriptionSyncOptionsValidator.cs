using Microsoft.Extensions.Options;

namespace Billing.Application.Subscriptions;

public sealed class SubscriptionSyncOptionsValidator : IValidateOptions<SubscriptionSyncOptions>
{
    public ValidateOptionsResult Validate(string? name, SubscriptionSyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ClockSkew < TimeSpan.Zero || options.ClockSkew > SubscriptionSyncOptions.MaxClockSkew
            ? ValidateOptionsResult.Fail($"{SubscriptionSyncOptions.SectionName}:ClockSkew must be between 00:00:00 and {SubscriptionSyncOptions.MaxClockSkew}; got {options.ClockSkew}.")
            : ValidateOptionsResult.Success;
    }
}
