using System.Diagnostics.CodeAnalysis;
using Billing.Cosmos.Configuration;
using Billing.Cosmos.Serialization;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Client;

/// <summary>
/// Builds the one <see cref="CosmosClient"/> of the process: Gateway mode (HTTPS only, works through the local
/// server and firewalls), <c>LimitToEndpoint</c>, the System.Text.Json serializer, and certificate validation
/// relaxed only for a loopback endpoint.
/// </summary>
public static class CosmosClientFactory
{
    public const string ApplicationName = "billing";

    public static CosmosClient Create(CosmosOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = CosmosOptionsValidator.Errors(options);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid Cosmos DB options: " + string.Join(" ", errors));
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var parsed = CosmosConnectionString.TryParse(options.ConnectionString, out var connection, out var error)
                ? connection
                : throw new InvalidOperationException("Invalid Cosmos DB connection string: " + error);
            return new CosmosClient(options.ConnectionString, CreateClientOptions(parsed.AccountEndpoint));
        }

        var endpoint = options.AccountEndpoint!;
        return new CosmosClient(endpoint.AbsoluteUri, options.Credential!, CreateClientOptions(endpoint));
    }

    /// <summary>The client options for <paramref name="endpoint"/>; exposed so the certificate decision is testable.</summary>
    public static CosmosClientOptions CreateClientOptions(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var loopback = CosmosCertificatePolicy.MayRelaxValidation(endpoint);
        return new CosmosClientOptions
        {
            ApplicationName = ApplicationName,
            ConnectionMode = ConnectionMode.Gateway,
            LimitToEndpoint = true,
            Serializer = new SystemTextJsonCosmosSerializer(CosmosJson.Options),
            ServerCertificateCustomValidationCallback = loopback ? AcceptLoopbackCertificate : null,
            HttpClientFactory = loopback ? CreateLoopbackHttpClient : null,
        };
    }

    /// <summary>For the local server only: its self-signed certificate accepted, and <see cref="LocalServerCompatibilityHandler"/> in front.</summary>
    private static HttpClient CreateLoopbackHttpClient()
    {
#pragma warning disable CA2000 // The HttpClient owns and disposes the handler chain.
        var transport = new HttpClientHandler { ServerCertificateCustomValidationCallback = AcceptLoopbackCertificate };
        return new HttpClient(new LocalServerCompatibilityHandler(transport), disposeHandler: true);
#pragma warning restore CA2000
    }

    [SuppressMessage("Security", "CA5359:Do not disable certificate validation", Justification = "Only installed for loopback endpoints (local Cosmos server with a self-signed certificate); see CosmosCertificatePolicy.")]
    private static bool AcceptLoopbackCertificate(
        object? sender,
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate,
        System.Security.Cryptography.X509Certificates.X509Chain? chain,
        System.Net.Security.SslPolicyErrors errors) => true;

    [SuppressMessage("Security", "CA5359:Do not disable certificate validation", Justification = "Only installed for loopback endpoints; see CosmosCertificatePolicy.")]
    private static bool AcceptLoopbackCertificate(
        System.Security.Cryptography.X509Certificates.X509Certificate2 certificate,
        System.Security.Cryptography.X509Certificates.X509Chain chain,
        System.Net.Security.SslPolicyErrors errors) => true;
}
