using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Http;

/// <summary>
/// Start-up check of <see cref="ServiceAuthOptions"/>: every key has a name (unique, ignoring case) and a hash of 64
/// hex characters (unique too: two names for one key would make the logs lie), every client id is one word listed
/// once, and the scope is one word. Outside Development the hash of the published development key
/// (<see cref="DevelopmentKeyHash"/>) is refused, as the development signing key is.
/// </summary>
public sealed class ServiceAuthOptionsValidator(bool isDevelopment) : IValidateOptions<ServiceAuthOptions>
{
    /// <summary>Hex characters of a SHA-256.</summary>
    public const int HashLength = 64;

    /// <summary>
    /// The hash of <c>local-development-usage-key</c>, the key local runs accept (appsettings.Development.json,
    /// local.settings.sample.json); the key itself is in the repository and the docs, so it proves nothing.
    /// </summary>
    public const string DevelopmentKeyHash = "b21cd3df75e4b72fc266c8657311dbe9d0a5c322ba28998dddefb66146f2f01a";

    public ValidateOptionsResult Validate(string? name, ServiceAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var hashes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            var prefix = $"{ServiceAuthOptions.SectionName}:ApiKeys:{i}";
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                errors.Add($"{prefix}:Name is required (the calling service's name, for logs).");
            }
            else if (!names.Add(key.Name))
            {
                errors.Add($"{prefix}:Name '{key.Name}' is used by another key; names must be unique.");
            }

            if (key.Sha256 is not { Length: HashLength } || !key.Sha256.All(char.IsAsciiHexDigit))
            {
                errors.Add($"{prefix}:Sha256 must be the hex SHA-256 of the key ({HashLength} hex characters); create one with 'billing apikey new'.");
            }
            else if (!hashes.Add(key.Sha256))
            {
                errors.Add($"{prefix}:Sha256 is the hash of another configured key; each key must be configured once.");
            }
            else if (!isDevelopment && string.Equals(key.Sha256, DevelopmentKeyHash, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{prefix}:Sha256 is the hash of the published development key (local-development-usage-key), accepted only in the Development environment; create a key with 'billing apikey new'.");
            }
        }

        var clients = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.ClientIds.Count; i++)
        {
            var client = options.ClientIds[i];
            if (string.IsNullOrWhiteSpace(client) || client.Length > 256 || client.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                errors.Add($"{ServiceAuthOptions.SectionName}:ClientIds:{i} must be a client id (1..256 characters, no spaces).");
            }
            else if (!clients.Add(client))
            {
                errors.Add($"{ServiceAuthOptions.SectionName}:ClientIds:{i} '{client}' is listed twice.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Scope) || options.Scope.Any(char.IsWhiteSpace))
        {
            errors.Add($"{ServiceAuthOptions.SectionName}:Scope must be one scope name without spaces (default {ServiceAuthOptions.DefaultScope}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
