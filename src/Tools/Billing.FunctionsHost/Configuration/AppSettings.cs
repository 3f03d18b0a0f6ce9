using System.Text.RegularExpressions;

namespace Billing.FunctionsHost.Configuration;

/// <summary>
/// App settings as Core Tools sees them: real environment variables win over local.settings.json Values.
/// Resolves <c>%SETTING%</c> expressions and binding connection names.
/// </summary>
internal sealed partial class AppSettings(IReadOnlyDictionary<string, string> values, Func<string, string?> environment)
{
    public IReadOnlyDictionary<string, string> Values { get; } = values;

    public string? Get(string name) =>
        environment(name) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : Values.TryGetValue(name, out var value) ? value
        : null;

    /// <summary>Every setting whose name starts with <paramref name="prefix"/> (environment and local.settings.json; the environment wins).</summary>
    public IReadOnlyDictionary<string, string> WithPrefix(string prefix, IEnumerable<string> environmentNames)
    {
        var found = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in Values.Where(v => v.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            found[name] = value;
        }

        foreach (var name in environmentNames.Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            if (environment(name) is { } value)
            {
                found[name] = value;
            }
        }

        return found;
    }

    /// <summary>Replaces every <c>%NAME%</c> with the setting's value; a missing setting is an error.</summary>
    public string Resolve(string expression, string usedBy) =>
        SettingReference().Replace(expression, match =>
            Get(match.Groups[1].Value)
            ?? throw new HostStartupException($"{usedBy}: app setting '{match.Groups[1].Value}' is not set."));

    /// <summary>
    /// A binding's storage connection: <c>AzureWebJobs&lt;name&gt;</c> then <c>&lt;name&gt;</c> (default name
    /// <c>Storage</c>), as a connection string or the identity form <c>&lt;name&gt;__queueServiceUri</c>.
    /// </summary>
    public QueueConnection ResolveQueueConnection(string? connection, string usedBy)
    {
        var name = string.IsNullOrWhiteSpace(connection) ? "Storage" : connection;
        foreach (var candidate in new[] { "AzureWebJobs" + name, name })
        {
            if ((Get(candidate) ?? Get("ConnectionStrings:" + candidate)) is { Length: > 0 } connectionString)
            {
                return new QueueConnection(candidate, connectionString, null, null);
            }

            if ((Get(candidate + "__queueServiceUri") ?? Get(candidate + ":queueServiceUri")) is { Length: > 0 } uri)
            {
                var clientId = Get(candidate + "__clientId") ?? Get(candidate + ":clientId");
                return new QueueConnection(candidate, null, new Uri(uri), clientId);
            }
        }

        throw new HostStartupException(
            $"{usedBy}: storage connection '{name}' is not configured (set AzureWebJobs{name} or {name} to a connection string).");
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();
}

/// <summary>Where a queue lives: a connection string, or a service URI used with an Azure identity.</summary>
internal sealed record QueueConnection(string Name, string? ConnectionString, Uri? ServiceUri, string? ClientId);
