using System.Text.Json;

namespace Billing.FunctionsHost.Configuration;

/// <summary><c>local.settings.json</c>: <c>Values</c>, <c>Host.LocalHttpPort</c> and <c>Host.CORS</c>.</summary>
internal sealed record LocalSettings(IReadOnlyDictionary<string, string> Values, int? LocalHttpPort, IReadOnlyList<string> Cors)
{
    public static LocalSettings Load(string scriptRoot)
    {
        var path = Path.Combine(scriptRoot, "local.settings.json");
        if (!File.Exists(path))
        {
            return new LocalSettings(new Dictionary<string, string>(), null, []);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), JsonFiles.Options);
            var root = document.RootElement;
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (JsonFiles.Property(root, "Values") is { ValueKind: JsonValueKind.Object } valuesElement)
            {
                foreach (var property in valuesElement.EnumerateObject())
                {
                    values[property.Name] = property.Value.ValueKind == JsonValueKind.String
                        ? property.Value.GetString()!
                        : property.Value.GetRawText();
                }
            }

            var host = JsonFiles.Property(root, "Host");
            int? port = host is { } h && JsonFiles.Property(h, "LocalHttpPort") is { ValueKind: JsonValueKind.Number } p
                ? p.GetInt32()
                : null;
            var cors = host is { } hc && JsonFiles.Property(hc, "CORS") is { ValueKind: JsonValueKind.String } c
                ? HostCommandLine.SplitOrigins(c.GetString()!)
                : [];
            return new LocalSettings(values, port, cors);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new HostStartupException($"local.settings.json is invalid: {e.Message}");
        }
    }
}
