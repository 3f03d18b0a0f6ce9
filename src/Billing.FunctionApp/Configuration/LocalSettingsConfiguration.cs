using System.Text.Json;

namespace Billing.FunctionApp.Configuration;

/// <summary>
/// Reads the <c>Values</c> of a Functions-style <c>local.settings.json</c> (as <c>func start</c> would) when one sits in
/// the content root. <c>A__B</c> keys become <c>A:B</c>, like environment variables.
/// </summary>
public static class LocalSettingsConfiguration
{
    public const string FileName = "local.settings.json";

    public static IConfigurationBuilder AddLocalSettingsJson(this IConfigurationBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!File.Exists(path))
        {
            return builder;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"{path} has no \"Values\" object.");
        }

        var settings = values.EnumerateObject().ToDictionary(
            p => p.Name.Replace("__", ":", StringComparison.Ordinal),
            p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText(),
            StringComparer.OrdinalIgnoreCase);
        return builder.AddInMemoryCollection(settings);
    }
}
