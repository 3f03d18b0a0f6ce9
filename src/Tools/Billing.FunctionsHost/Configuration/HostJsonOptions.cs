using System.Globalization;
using System.Text.Json;

namespace Billing.FunctionsHost.Configuration;

/// <summary>The parts of host.json the local host honours.</summary>
internal sealed record HostJsonOptions(
    string RoutePrefix,
    QueueOptions Queues,
    TimeSpan? FunctionTimeout,
    IReadOnlyDictionary<string, LogLevel> LogLevels)
{
    private static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The prefix of app settings that override host.json values, as the real host reads them.</summary>
    public const string OverridePrefix = "AzureFunctionsJobHost__";

    /// <param name="overrides">Settings named <c>AzureFunctionsJobHost__path__to__key</c>: each replaces (or adds) that host.json value.</param>
    public static HostJsonOptions Load(string scriptRoot, int processorCount, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var path = Path.Combine(scriptRoot, "host.json");
        var json = File.Exists(path) ? File.ReadAllText(path) : "{}";
        return Parse(overrides is { Count: > 0 } ? HostJsonOverrides.Apply(json, overrides) : json, processorCount);
    }

    public static HostJsonOptions Parse(string json, int processorCount)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, JsonFiles.Options);
        }
        catch (JsonException e)
        {
            throw new HostStartupException($"host.json is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new HostStartupException("host.json must contain a JSON object.");
            }

            var extensions = JsonFiles.Property(root, "extensions");
            var http = extensions is { } e1 ? JsonFiles.Property(e1, "http") : null;
            var routePrefix = (http is { } h ? ReadString(h, "routePrefix", "extensions.http.routePrefix") : null) ?? "api";
            var queues = QueueOptions.Parse(extensions is { } e2 ? JsonFiles.Property(e2, "queues") : null, processorCount);
            var timeout = ReadString(root, "functionTimeout", "functionTimeout") switch
            {
                null => DefaultFunctionTimeout,
                "-1" => (TimeSpan?)null,
                var text => ParseTimeSpan(text, "functionTimeout"),
            };
            return new HostJsonOptions(routePrefix.Trim('/'), queues, timeout, ReadLogLevels(root));
        }
    }

    internal static string? ReadString(JsonElement parent, string name, string path) =>
        JsonFiles.Property(parent, name) switch
        {
            null or { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.String } value => value.GetString(),
            _ => throw new HostStartupException($"host.json: '{path}' must be a string."),
        };

    internal static TimeSpan ParseTimeSpan(string text, string path) =>
        TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero
            ? value
            : throw new HostStartupException($"host.json: '{path}' must be a time span like \"00:05:00\".");

    private static Dictionary<string, LogLevel> ReadLogLevels(JsonElement root)
    {
        var levels = new Dictionary<string, LogLevel>(StringComparer.OrdinalIgnoreCase);
        if (JsonFiles.Property(root, "logging") is not { } logging
            || JsonFiles.Property(logging, "logLevel") is not { } logLevel)
        {
            return levels;
        }

        if (logLevel.ValueKind != JsonValueKind.Object)
        {
            throw new HostStartupException("host.json: 'logging.logLevel' must be an object.");
        }

        foreach (var property in logLevel.EnumerateObject())
        {
            var path = "logging.logLevel." + property.Name;
            var text = ReadString(logLevel, property.Name, path);
            levels[property.Name] = Enum.TryParse<LogLevel>(text, ignoreCase: true, out var level)
                ? level
                : throw new HostStartupException($"host.json: '{path}' must be a log level such as \"Information\".");
        }

        return levels;
    }
}
