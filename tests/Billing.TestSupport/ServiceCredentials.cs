using System.Security.Cryptography;
using System.Text;

namespace Billing.TestSupport;

/// <summary>
/// The service credentials a test function app accepts (<see cref="FunctionAppSettings.ForEmulators"/> configures
/// them): the API key for the <c>X-Api-Key</c> header, the name the app knows it by, and the scope and client a service token needs.
/// </summary>
public static class ServiceCredentials
{
    public const string ApiKey = "billing-tests-usage-key-0123456789abcdef";

    public const string ApiKeyName = "tests";

    public const string Scope = "billing.usage";

    /// <summary>The service client whose tokens the app accepts (<c>Billing:ServiceAuth:ClientIds:0</c>), as their <c>azp</c>.</summary>
    public const string ClientId = "product-backend";

    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>The lower-case hex SHA-256 of <see cref="ApiKey"/>, as <c>Billing:ServiceAuth:ApiKeys:N:Sha256</c> holds it.</summary>
    public static string ApiKeySha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ApiKey)));
}
