using System.Text.Json;
using System.Text.RegularExpressions;

namespace Billing.FunctionApp.Hosting.FunctionMetadata;

/// <summary>
/// Reads <c>&lt;app root&gt;/&lt;FunctionName&gt;/function.json</c> as the Functions host does, resolving
/// <c>%SETTING%</c> references from configuration (the host resolves them from app settings).
/// </summary>
public static partial class FunctionCatalogLoader
{
    public const string HttpRoutePrefix = "/api/";

    public static FunctionCatalog Load(string appRoot, Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var functions = new List<FunctionDefinition>();
        foreach (var file in Directory.EnumerateFiles(appRoot, "function.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var folder = Path.GetDirectoryName(file)!;
            if (!string.Equals(Path.GetDirectoryName(folder), Path.GetFullPath(appRoot).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
            {
                continue; // only <root>/<Name>/function.json counts, as for the host
            }

            functions.Add(Parse(Path.GetFileName(folder), File.ReadAllText(file), setting));
        }

        return new FunctionCatalog(functions);
    }

    public static FunctionDefinition Parse(string name, string functionJson, Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var document = JsonSerializer.Deserialize<FunctionJsonDocument>(functionJson)
                       ?? throw new InvalidOperationException($"{name}/function.json is empty.");
        var bindings = document.Bindings ?? throw new InvalidOperationException($"{name}/function.json has no bindings.");
        var triggers = bindings.Where(b => b.Type.EndsWith("Trigger", StringComparison.Ordinal)).ToList();
        if (triggers.Count != 1)
        {
            throw new InvalidOperationException($"{name}/function.json must have exactly one trigger binding; it has {triggers.Count}.");
        }

        var trigger = triggers[0];
        return trigger.Type switch
        {
            "httpTrigger" => new FunctionDefinition
            {
                Name = name,
                Kind = FunctionTriggerKind.Http,
                Trigger = trigger,
                Path = HttpRoutePrefix + (trigger.Route ?? name).TrimStart('/'),
                HttpMethods = (trigger.Methods ?? ["get", "post"]).Select(m => m.ToUpperInvariant()).ToList(),
            },
            "queueTrigger" => new FunctionDefinition
            {
                Name = name,
                Kind = FunctionTriggerKind.Queue,
                Trigger = trigger,
                QueueName = Resolve(trigger.QueueName ?? throw new InvalidOperationException($"{name}: queueTrigger without queueName."), setting, name),
            },
            "timerTrigger" => new FunctionDefinition
            {
                Name = name,
                Kind = FunctionTriggerKind.Timer,
                Trigger = trigger,
                Schedule = Resolve(trigger.Schedule ?? throw new InvalidOperationException($"{name}: timerTrigger without schedule."), setting, name),
            },
            _ => throw new InvalidOperationException($"{name}: unsupported trigger type '{trigger.Type}'."),
        };
    }

    /// <summary>The %SETTING% names a value refers to.</summary>
    public static IEnumerable<string> SettingReferences(string value) =>
        SettingPattern().Matches(value).Select(m => m.Groups[1].Value);

    private static string Resolve(string value, Func<string, string?> setting, string functionName) =>
        SettingPattern().Replace(value, match =>
        {
            var key = match.Groups[1].Value;
            var resolved = setting(key);
            return string.IsNullOrWhiteSpace(resolved)
                ? throw new InvalidOperationException($"{functionName}/function.json refers to app setting '{key}', which is not set.")
                : resolved;
        });

    [GeneratedRegex("%([A-Za-z0-9_:.-]+)%")]
    private static partial Regex SettingPattern();

    private sealed record FunctionJsonDocument
    {
        [System.Text.Json.Serialization.JsonPropertyName("bindings")]
        public IReadOnlyList<FunctionBinding>? Bindings { get; init; }
    }
}
