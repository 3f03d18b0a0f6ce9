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

        var maxBudget = MissedEventSweepOptions.FunctionTimeout - MissedEventSweepOptions.MinTimeoutMargin;
        if (options.TimeBudget <= TimeSpan.Zero || options.TimeBudget > maxBudget)
        {
            errors.Add($"{MissedEventSweepOptions.SectionName}:TimeBudget must be positive and at most {maxBudget} (host.json's functionTimeout {MissedEventSweepOptions.FunctionTimeout} less {MissedEventSweepOptions.MinTimeoutMargin}); got {options.TimeBudget}.");
        }

        if (options.Parallelism is < 1 or > MissedEventSweepOptions.MaxParallelism)
        {
            errors.Add($"{MissedEventSweepOptions.SectionName}:Parallelism must be between 1 and {MissedEventSweepOptions.MaxParallelism}; got {options.Parallelism}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
