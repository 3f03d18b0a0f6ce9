using Microsoft.Extensions.Options;

namespace Billing.Application;

/// <summary>
/// How the Functions host retries a queue message: it delivers it up to <see cref="MaxDequeueCount"/> times and then
/// moves it to the poison queue. Bound from the host's own setting, <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c>
/// (the app setting that overrides host.json), else host.json's value: the worker needs it to know a message's last
/// delivery, on which a write-behind copy that cannot be written is logged instead of thrown
/// (<see cref="OperatorCopyNotWrittenException"/>), so the copy alone never sends work that is done to the poison queue.
/// </summary>
public sealed class QueueDeliveryOptions
{
    public const string SectionName = "AzureFunctionsJobHost:extensions:queues";

    /// <summary>host.json's <c>extensions.queues.maxDequeueCount</c> (a test compares them).</summary>
    public const int HostJsonMaxDequeueCount = 5;

    public int MaxDequeueCount { get; set; } = HostJsonMaxDequeueCount;

    /// <summary>Whether the host moves the message to the poison queue if this delivery (1 for the first) fails.</summary>
    public bool IsLastDelivery(long dequeueCount) => dequeueCount >= MaxDequeueCount;
}

public sealed class QueueDeliveryOptionsValidator : IValidateOptions<QueueDeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, QueueDeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.MaxDequeueCount >= 1
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"AzureFunctionsJobHost__extensions__queues__maxDequeueCount must be at least 1; was {options.MaxDequeueCount}.");
    }
}
