using System.Text.Json;

namespace Billing.FunctionsHost.Configuration;

/// <summary>host.json <c>extensions.queues</c>, with the real host's defaults in the Development environment.</summary>
internal sealed record QueueOptions(
    int BatchSize,
    int NewBatchThreshold,
    TimeSpan MaxPollingInterval,
    TimeSpan VisibilityTimeout,
    int MaxDequeueCount,
    bool Base64)
{
    public const int DefaultBatchSize = 16;

    public static QueueOptions Parse(JsonElement? section, int processorCount)
    {
        if (section is { } s && s.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            throw new HostStartupException("host.json: 'extensions.queues' must be an object.");
        }

        var batchSize = ReadInt(section, "batchSize", 1, 32) ?? DefaultBatchSize;
        var threshold = ReadInt(section, "newBatchThreshold", 0, int.MaxValue) ?? batchSize / 2 * processorCount;
        var polling = ReadTimeSpan(section, "maxPollingInterval") ?? TimeSpan.FromSeconds(2);
        if (polling < TimeSpan.FromMilliseconds(100))
        {
            throw new HostStartupException("host.json: 'extensions.queues.maxPollingInterval' must be at least 100 ms.");
        }

        var encoding = section is { } e ? HostJsonOptions.ReadString(e, "messageEncoding", "extensions.queues.messageEncoding") : null;
        var base64 = encoding switch
        {
            null => true,
            _ when encoding.Equals("base64", StringComparison.OrdinalIgnoreCase) => true,
            _ when encoding.Equals("none", StringComparison.OrdinalIgnoreCase) => false,
            _ => throw new HostStartupException("host.json: 'extensions.queues.messageEncoding' must be \"base64\" or \"none\"."),
        };
        return new QueueOptions(
            batchSize,
            threshold,
            polling,
            ReadTimeSpan(section, "visibilityTimeout") ?? TimeSpan.Zero,
            ReadInt(section, "maxDequeueCount", 1, int.MaxValue) ?? 5,
            base64);
    }

    private static int? ReadInt(JsonElement? section, string name, int min, int max)
    {
        if (section is not { } s || JsonFiles.Property(s, name) is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max
            ? number
            : throw new HostStartupException($"host.json: 'extensions.queues.{name}' must be a whole number from {min} to {max}.");
    }

    private static TimeSpan? ReadTimeSpan(JsonElement? section, string name) =>
        section is { } s && HostJsonOptions.ReadString(s, name, "extensions.queues." + name) is { } text
            ? HostJsonOptions.ParseTimeSpan(text, "extensions.queues." + name)
            : null;
}
