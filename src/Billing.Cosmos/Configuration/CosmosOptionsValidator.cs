using Billing.Cosmos.Client;
using Microsoft.Extensions.Options;

namespace Billing.Cosmos.Configuration;

/// <summary>Checks <see cref="CosmosOptions"/> and says what to fix.</summary>
public sealed class CosmosOptionsValidator : IValidateOptions<CosmosOptions>
{
    public const int MaxNameLength = 255;

    public ValidateOptionsResult Validate(string? name, CosmosOptions options)
    {
        var errors = Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static IReadOnlyList<string> Errors(CosmosOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string s = CosmosOptions.SectionName;
        var errors = new List<string>();
        var hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        var hasEndpoint = options.AccountEndpoint is not null;

        if (hasConnectionString == hasEndpoint)
        {
            errors.Add($"{s}: set either ConnectionString (local Cosmos server or emulator) or AccountEndpoint with a Credential (Azure), not both and not neither.");
        }

        if (hasConnectionString)
        {
            if (!CosmosConnectionString.TryParse(options.ConnectionString, out var parsed, out var error))
            {
                errors.Add($"{s}:ConnectionString: {error}");
            }
            else if (parsed.DisablesCertificateValidation && !CosmosCertificatePolicy.MayRelaxValidation(parsed.AccountEndpoint))
            {
                errors.Add($"{s}:ConnectionString: DisableServerCertificateValidation is only honoured for a loopback endpoint (127.0.0.1, localhost, ::1), not for {parsed.AccountEndpoint.Host}.");
            }
        }

        if (options.AccountEndpoint is { } endpoint)
        {
            if (!endpoint.IsAbsoluteUri || endpoint.Scheme != Uri.UriSchemeHttps)
            {
                errors.Add($"{s}:AccountEndpoint must be an absolute https URI, e.g. https://my-account.documents.azure.com:443/.");
            }

            if (options.Credential is null)
            {
                errors.Add($"{s}:Credential is required with AccountEndpoint (e.g. a managed identity TokenCredential set in code).");
            }

            // Signed in with Microsoft Entra ID, the app holds a data-plane role, which covers items, queries, metadata
            // reads and stored procedure executions but not creating databases, containers or stored procedures: the
            // provisioner's first stored procedure create would be refused with 403, and the start with it.
            if (options.ProvisionOnStartup)
            {
                errors.Add($"{s}:ProvisionOnStartup must be false with AccountEndpoint: signed in with Microsoft Entra ID the app cannot create databases, containers or stored procedures (Cosmos DB's data-plane roles do not cover them); deploy infra/modules/cosmos.bicep, which creates them, and set Billing__Cosmos__ProvisionOnStartup=false.");
            }
        }

        CheckName(errors, "DatabaseName", options.DatabaseName);
        CheckName(errors, "AccountsContainerName", options.AccountsContainerName);
        CheckName(errors, "StripeEventsContainerName", options.StripeEventsContainerName);
        CheckName(errors, "StripeCustomersContainerName", options.StripeCustomersContainerName);

        string?[] containers = [options.AccountsContainerName, options.StripeEventsContainerName, options.StripeCustomersContainerName];
        if (containers.Distinct(StringComparer.Ordinal).Count() != containers.Length)
        {
            errors.Add($"{s}: the three container names must differ (they have different partition keys).");
        }

        if (options.MaxUpdateAttempts is < 1 or > 100)
        {
            errors.Add($"{s}:MaxUpdateAttempts must be between 1 and 100.");
        }

        return errors;
    }

    private static void CheckName(List<string> errors, string property, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{CosmosOptions.SectionName}:{property} is required.");
        }
        else if (value.Length > MaxNameLength || value.Any(c => c is '/' or '\\' or '?' or '#' || char.IsControl(c)) || value.EndsWith(' '))
        {
            errors.Add($"{CosmosOptions.SectionName}:{property} '{value}' is not a valid Cosmos DB name (at most {MaxNameLength} characters, no '/', '\\', '?', '#', control characters or trailing space).");
        }
    }
}
