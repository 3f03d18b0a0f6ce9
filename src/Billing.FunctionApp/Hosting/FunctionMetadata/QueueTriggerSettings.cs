using System.Globalization;
using System.Text.Json.Nodes;

namespace Billing.FunctionApp.Hosting.FunctionMetadata;

/// <summary>
/// The host's queue-trigger settings: <c>extensions.queues</c> of host.json, overridden by app settings
/// <c>AzureFunctionsJobHost__extensions__queues__*</c> exactly as the Functions host allows. Defaults are the host's.
/// </summary>
public sealed record QueueTriggerSettings
{
    public const string OverridePrefix = "AzureFunctionsJobHost:extensions:queues:";

    public int BatchSize { get; init; } = 16;

    public int NewBatchThreshold { get; init; } = 8;

    public int MaxDequeueCount { get; init; } = 5;

    /// <summary>How long a failed message stays invisible before its next attempt.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Base64 (the host's default) or none.</summary>
    public string MessageEncoding { get; init; } = "base64";

    public static QueueTriggerSettings Load(string hostJsonPath, Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var queues = File.Exists(hostJsonPath)
            ? JsonNode.Parse(File.ReadAllText(hostJsonPath))?["extensions"]?["queues"] as JsonObject
            : null;

        string? Value(string key) => setting(OverridePrefix + key) ?? queues?[key]?.ToString();

        var defaults = new QueueTriggerSettings();
        var batchSize = Int(Value("batchSize"), defaults.BatchSize, 1, 32, "batchSize");
        var settings = new QueueTriggerSettings
        {
            BatchSize = batchSize,
            NewBatchThreshold = Int(Value("newBatchThreshold"), batchSize / 2, 0, 1000, "newBatchThreshold"),
            MaxDequeueCount = Int(Value("maxDequeueCount"), defaults.MaxDequeueCount, 1, 1000, "maxDequeueCount"),
            VisibilityTimeout = Duration(Value("visibilityTimeout"), defaults.VisibilityTimeout, "visibilityTimeout"),
            MaxPollingInterval = Duration(Value("maxPollingInterval"), defaults.MaxPollingInterval, "maxPollingInterval"),
            MessageEncoding = Value("messageEncoding") ?? defaults.MessageEncoding,
        };
        if (settings.MaxPollingInterval < TimeSpan.FromMilliseconds(100))
        {
            throw new InvalidOperationException("host.json extensions.queues.maxPollingInterval must be at least 00:00:00.100.");
        }

        return settings;
    }

    private static int Int(string? value, int fallback, int min, int max, string name)
    {
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max
            ? parsed
            : throw new InvalidOperationException($"host.json extensions.queues.{name} must be a whole number from {min} to {max}; got '{value}'.");
    }

    private static TimeSpan Duration(string? value, TimeSpan fallback, string name)
    {
        if (value is null)
        {
            return fallback;
        }

        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var parsed) && parsed >= TimeSpan.Zero
            ? parsed
            : throw new InvalidOperationException($"host.json extensions.queues.{name} must be a time span like 00:00:30; got '{value}'.");
    }
}
