using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Queues;

/// <summary>
/// The app's queue names, from app settings: <c>STRIPE_EVENTS_QUEUE</c> (the processor's trigger reads
/// <c>%STRIPE_EVENTS_QUEUE%</c>), <c>BILLING_NOTIFICATIONS_QUEUE</c> (messages for the product) and
/// <c>INVOICE_JOBS_QUEUE</c> (one usage invoicing job per account and closed period; the <c>InvoiceAccount</c>
/// trigger reads <c>%INVOICE_JOBS_QUEUE%</c>).
/// </summary>
public sealed class QueueNameOptions
{
    public const string SettingName = "STRIPE_EVENTS_QUEUE";

    public const string NotificationsSettingName = "BILLING_NOTIFICATIONS_QUEUE";

    public const string DefaultNotificationsQueueName = "billing-notifications";

    public const string DefaultQueueName = "stripe-events";

    public const string InvoiceJobsSettingName = "INVOICE_JOBS_QUEUE";

    public const string DefaultInvoiceJobsQueueName = "invoice-jobs";

    /// <summary>Where the Functions host moves a message after <c>maxDequeueCount</c> failed attempts: the queue name plus this.</summary>
    public const string PoisonSuffix = "-poison";

    [ConfigurationKeyName(SettingName)]
    public string QueueName { get; set; } = DefaultQueueName;

    public string PoisonQueueName => QueueName + PoisonSuffix;

    [ConfigurationKeyName(NotificationsSettingName)]
    public string NotificationsQueueName { get; set; } = DefaultNotificationsQueueName;

    [ConfigurationKeyName(InvoiceJobsSettingName)]
    public string InvoiceJobsQueueName { get; set; } = DefaultInvoiceJobsQueueName;

    public string InvoiceJobsPoisonQueueName => InvoiceJobsQueueName + PoisonSuffix;
}

internal sealed partial class QueueNameOptionsValidator : IValidateOptions<QueueNameOptions>
{
    public ValidateOptionsResult Validate(string? name, QueueNameOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Queue names: 3-63 characters, lowercase letters, digits and single hyphens, starting and ending with a letter or digit.
        var errors = new List<string>();
        if (options.QueueName is not { } queue || !QueueNamePattern().IsMatch(queue) || options.PoisonQueueName.Length > 63)
        {
            errors.Add($"{QueueNameOptions.SettingName} must be a queue name (lowercase letters, digits, single hyphens; 3 to {63 - QueueNameOptions.PoisonSuffix.Length} characters so the poison queue name fits); was '{options.QueueName}'.");
        }

        if (options.NotificationsQueueName is not { } notifications || !QueueNamePattern().IsMatch(notifications))
        {
            errors.Add($"{QueueNameOptions.NotificationsSettingName} must be a queue name (lowercase letters, digits, single hyphens; 3 to 63 characters); was '{options.NotificationsQueueName}'.");
        }
        else if (notifications == options.QueueName || notifications == options.PoisonQueueName)
        {
            // The Stripe event processor would take the product's notifications and, unable to read them, poison them.
            errors.Add($"{QueueNameOptions.NotificationsSettingName} ('{notifications}') must differ from the Stripe events queue and its poison queue.");
        }

        if (options.InvoiceJobsQueueName is not { } jobs || !QueueNamePattern().IsMatch(jobs) || options.InvoiceJobsPoisonQueueName.Length > 63)
        {
            errors.Add($"{QueueNameOptions.InvoiceJobsSettingName} must be a queue name (lowercase letters, digits, single hyphens; 3 to {63 - QueueNameOptions.PoisonSuffix.Length} characters so the poison queue name fits); was '{options.InvoiceJobsQueueName}'.");
        }
        else if (new[] { options.QueueName, options.PoisonQueueName, options.NotificationsQueueName }.Any(other => other == jobs || other == options.InvoiceJobsPoisonQueueName))
        {
            errors.Add($"{QueueNameOptions.InvoiceJobsSettingName} ('{jobs}') and its poison queue must differ from the Stripe events queue, its poison queue and the notifications queue.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]\\z", RegexOptions.CultureInvariant)]
    private static partial Regex QueueNamePattern();
}
