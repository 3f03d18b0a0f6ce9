using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace Billing.Cosmos.Client;

/// <summary>The parts of a Cosmos DB connection string this project looks at.</summary>
public sealed record CosmosConnectionString(Uri AccountEndpoint, bool DisablesCertificateValidation)
{
    public static bool TryParse(string? connectionString, [NotNullWhen(true)] out CosmosConnectionString? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            error = "it is not a 'key=value;...' connection string.";
            return false;
        }

        if (!builder.TryGetValue("AccountEndpoint", out var endpointValue) ||
            !Uri.TryCreate(endpointValue as string, UriKind.Absolute, out var endpoint) ||
            (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            error = "AccountEndpoint=https://host:port/ is missing or not an absolute URI.";
            return false;
        }

        if (!builder.TryGetValue("AccountKey", out var key) || string.IsNullOrWhiteSpace(key as string))
        {
            error = "AccountKey is missing.";
            return false;
        }

        var disables = builder.TryGetValue("DisableServerCertificateValidation", out var flag) &&
                       bool.TryParse(flag as string, out var disabled) && disabled;
        parsed = new CosmosConnectionString(endpoint, disables);
        error = null;
        return true;
    }
}
