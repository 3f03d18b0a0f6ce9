namespace Billing.QueueStorage.Configuration;

/// <summary>
/// The parts of an Azure Storage connection string the queue client needs. Parse errors name the offending
/// key, never a value (a value may be the account key). <see cref="ToString"/> leaves the key out.
/// </summary>
internal sealed class StorageConnectionString
{
    public const string DevelopmentAccountName = "devstoreaccount1";
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    public static readonly Uri DevelopmentQueueEndpoint = new("http://127.0.0.1:10001/devstoreaccount1");
    public const string DefaultEndpointSuffix = "core.windows.net";

    private StorageConnectionString(Uri queueEndpoint, string accountName, byte[] accountKey)
    {
        QueueEndpoint = queueEndpoint;
        AccountName = accountName;
        AccountKey = accountKey;
    }

    public Uri QueueEndpoint { get; }

    public string AccountName { get; }

    /// <summary>The decoded account key (HMAC key for SharedKey signatures).</summary>
    public byte[] AccountKey { get; }

    /// <exception cref="ArgumentException">The string is null or blank.</exception>
    /// <exception cref="FormatException">The string is malformed or lacks a required key.</exception>
    public static StorageConnectionString Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var settings = SplitSettings(connectionString);

        if (settings.ContainsKey("SharedAccessSignature"))
        {
            throw new FormatException("Storage connection string: SharedAccessSignature connection strings are not supported; use AccountName and AccountKey, or a token credential.");
        }

        if (settings.TryGetValue("UseDevelopmentStorage", out var development))
        {
            if (!bool.TryParse(development, out var useDevelopment) || !useDevelopment)
            {
                throw new FormatException("Storage connection string: UseDevelopmentStorage must be 'true' when present.");
            }

            return new StorageConnectionString(
                OptionalEndpoint(settings) ?? DevelopmentQueueEndpoint,
                DevelopmentAccountName,
                Convert.FromBase64String(DevelopmentAccountKey));
        }

        var accountName = Required(settings, "AccountName");
        var accountKey = DecodeKey(Required(settings, "AccountKey"));
        var endpoint = OptionalEndpoint(settings) ?? DefaultEndpoint(settings, accountName);
        return new StorageConnectionString(endpoint, accountName, accountKey);
    }

    public override string ToString() => $"AccountName={AccountName};QueueEndpoint={QueueEndpoint}";

    private static Dictionary<string, string> SplitSettings(string connectionString)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var segments = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var index = 0; index < segments.Length; index++)
        {
            var separator = segments[index].IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                // Never echo the segment: it may be a mistyped account key.
                throw new FormatException($"Storage connection string: segment {index + 1} is not of the form Key=Value.");
            }

            var key = segments[index][..separator].Trim();
            var value = segments[index][(separator + 1)..].Trim();
            if (!settings.TryAdd(key, value))
            {
                throw new FormatException($"Storage connection string: '{key}' appears more than once.");
            }
        }

        return settings;
    }

    private static string Required(Dictionary<string, string> settings, string key) =>
        settings.TryGetValue(key, out var value) && value.Length > 0
            ? value
            : throw new FormatException($"Storage connection string: '{key}' is missing or empty.");

    private static byte[] DecodeKey(string accountKey)
    {
        try
        {
            return Convert.FromBase64String(accountKey);
        }
        catch (FormatException)
        {
            throw new FormatException("Storage connection string: 'AccountKey' is not valid Base64.");
        }
    }

    private static Uri? OptionalEndpoint(Dictionary<string, string> settings)
    {
        if (!settings.TryGetValue("QueueEndpoint", out var value))
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var endpoint) || !IsHttp(endpoint.Scheme))
        {
            throw new FormatException("Storage connection string: 'QueueEndpoint' must be an absolute http or https URI.");
        }

        return endpoint;
    }

    private static Uri DefaultEndpoint(Dictionary<string, string> settings, string accountName)
    {
        var protocol = settings.GetValueOrDefault("DefaultEndpointsProtocol", Uri.UriSchemeHttps);
        if (!IsHttp(protocol))
        {
            throw new FormatException("Storage connection string: 'DefaultEndpointsProtocol' must be 'http' or 'https'.");
        }

        var suffix = settings.GetValueOrDefault("EndpointSuffix", DefaultEndpointSuffix).Trim('.');
        if (suffix.Length == 0)
        {
            suffix = DefaultEndpointSuffix;
        }

        if (!Uri.TryCreate($"{protocol.ToLowerInvariant()}://{accountName}.queue.{suffix}", UriKind.Absolute, out var endpoint))
        {
            throw new FormatException("Storage connection string: 'AccountName' and 'EndpointSuffix' do not form a valid queue endpoint.");
        }

        return endpoint;
    }

    private static bool IsHttp(string scheme) =>
        scheme.Equals(Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase) || scheme.Equals(Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase);
}
