using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Queues;

/// <summary>The queue the processor listens on: app setting <c>STRIPE_EVENTS_QUEUE</c> (the trigger's <c>%STRIPE_EVENTS_QUEUE%</c>).</summary>
public sealed class StripeEventQueueOptions
{
    public const string SettingName = "STRIPE_EVENTS_QUEUE";

    public const string DefaultQueueName = "stripe-events";

    /// <summary>Where the Functions host moves a message after <c>maxDequeueCount</c> failed attempts: the queue name plus this.</summary>
    public const string PoisonSuffix = "-poison";

    [ConfigurationKeyName(SettingName)]
    public string QueueName { get; set; } = DefaultQueueName;

    public string PoisonQueueName => QueueName + PoisonSuffix;
}

internal sealed partial class StripeEventQueueOptionsValidator : IValidateOptions<StripeEventQueueOptions>
{
    public ValidateOptionsResult Validate(string? name, StripeEventQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Queue names: 3-63 characters, lowercase letters, digits and single hyphens, starting and ending with a letter or digit.
        return options.QueueName is { } queue && QueueNamePattern().IsMatch(queue) && options.PoisonQueueName.Length <= 63
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{StripeEventQueueOptions.SettingName} must be a queue name (lowercase letters, digits, single hyphens; 3 to {63 - StripeEventQueueOptions.PoisonSuffix.Length} characters so the poison queue name fits); was '{options.QueueName}'.");
    }

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex QueueNamePattern();
}
