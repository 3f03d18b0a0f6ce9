namespace Billing.FunctionApp.Http;

/// <summary>
/// Section <c>Billing:ServiceAuth</c>: how the product's backend proves itself on the functions that declare
/// <see cref="Authentication.ServicePolicy"/>. Either an API key whose SHA-256 is listed in <see cref="ApiKeys"/> (the
/// keys themselves are never configured) or a bearer token carrying <see cref="Scope"/>. No keys: tokens only.
/// </summary>
public sealed class ServiceAuthOptions
{
    public const string SectionName = "Billing:ServiceAuth";

    public const string DefaultScope = "billing.usage";

    /// <summary>The accepted API keys, each by name and hash.</summary>
    public IList<ServiceApiKeyOptions> ApiKeys { get; } = [];

    /// <summary>The scope a service token must carry (in its space-separated <c>scope</c> claim or a <c>scp</c> claim).</summary>
    public string Scope { get; set; } = DefaultScope;
}

/// <summary>One accepted API key: the calling service's name (for logs) and the hex SHA-256 of the UTF-8 key, either case.</summary>
public sealed class ServiceApiKeyOptions
{
    public string Name { get; set; } = "";

    public string Sha256 { get; set; } = "";
}
