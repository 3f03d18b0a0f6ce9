using Microsoft.Extensions.Options;

namespace Billing.Application.Subscriptions;

public sealed class MissedEventSweepOptionsValidator : IValidateOptions<MissedEventSweepOptions>
{
    public ValidateOptionsResult Validate(string? name, MissedEventSweepOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Grace < TimeSpan.Zero || options.Grace > TimeSpan.FromDays(7))
        {
            errors.Add($"{MissedEventSweepOptions.SectionName}:Grace must be between 00:00:00 and 7.00:00:00; got {options.Grace}.");
        }

        if (options.BatchSize is < 1 or > MissedEventSweepOptions.MaxBatchSize)
        {
            errors.Add($"{MissedEventSweepOptions.SectionName}:BatchSize must be between 1 and {MissedEventSweepOptions.MaxBatchSize}; got {options.BatchSize}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
