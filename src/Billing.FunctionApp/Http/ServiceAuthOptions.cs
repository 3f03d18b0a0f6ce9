namespace Billing.FunctionApp.Http;

/// <summary>
/// Section <c>Billing:ServiceAuth</c>: how the product's backend proves itself on the functions that declare
/// <see cref="Authentication.ServicePolicy"/>. Either an API key whose SHA-256 is listed in <see cref="ApiKeys"/> (the
/// keys themselves are never configured) or a bearer token of one of the <see cref="ClientIds"/> carrying
/// <see cref="Scope"/>. No keys: tokens only; no client ids: keys only.
/// </summary>
public sealed class ServiceAuthOptions
{
    public const string SectionName = "Billing:ServiceAuth";

    public const string DefaultScope = "billing.usage";

    /// <summary>The accepted API keys, each by name and hash.</summary>
    public IList<ServiceApiKeyOptions> ApiKeys { get; } = [];

    /// <summary>The scope a service token must carry (in its space-separated <c>scope</c> claim, a <c>scp</c> claim, or as an Entra ID application permission in <c>roles</c>).</summary>
    public string Scope { get; set; } = DefaultScope;

    /// <summary>
    /// The OAuth clients (the product's backend) whose tokens may call the service endpoints, matched against the
    /// token's <c>azp</c>, <c>client_id</c>, <c>appid</c> or <c>cid</c> (Okta): the scope alone does not make a service, since some
    /// providers let a user's sign-in ask for any scope of the API. None: no token is accepted there, only API keys.
    /// </summary>
    public IList<string> ClientIds { get; } = [];
}

/// <summary>One accepted API key: the calling service's name (for logs) and the hex SHA-256 of the UTF-8 key, either case.</summary>
public sealed class ServiceApiKeyOptions
{
    public string Name { get; set; } = "";

    public string Sha256 { get; set; } = "";
}
