using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Webhooks;

public sealed class WebhookIngestOptionsValidator : IValidateOptions<WebhookIngestOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookIngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.MaxBodyBytes is < WebhookIngestOptions.MinBodyBytes or > WebhookIngestOptions.MaxAllowedBodyBytes
            ? ValidateOptionsResult.Fail($"{WebhookIngestOptions.SectionName}:MaxBodyBytes must be between {WebhookIngestOptions.MinBodyBytes} and {WebhookIngestOptions.MaxAllowedBodyBytes}; got {options.MaxBodyBytes}.")
            : ValidateOptionsResult.Success;
    }
}
