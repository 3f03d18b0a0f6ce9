using System.Globalization;

namespace Billing.Benchmarks.Ingest;

/// <summary>Command-line options of <c>ingest</c>; every count and duration is bounded so a run always ends by itself.</summary>
internal sealed record IngestOptions
{
    /// <summary>The webhook secret of appsettings.Development.json, the default for a server started by someone else.</summary>
    public const string DevelopmentWebhookSecret = "whsec_local_emulator_signing_secret";

    public const string Help = """
        ingest options:
          --events N            distinct signed events measured per endpoint (default 2000, at most 100000)
          --concurrency C       concurrent senders (default 8, at most 256)
          --warmup W            warm-up batch size: fresh events sent to each endpoint before measuring,
                                not counted (default 200; 0 = no warm-up)
          --warmup-seconds S    repeat warm-up batches for at least S seconds per endpoint (default 5),
                                so the server's code is fully compiled (tiered JIT) before measuring
          --rounds R            alternating ingest/bare rounds the events are split into (default 10)
          --app-url URL         use a server that is already running on loopback instead of starting one
                                (it must run with Benchmarks__BareEndpoint=true for the bare endpoint)
          --secret WHSEC        webhook secret that server verifies with (default: the Development one)
          --with-processing     keep the standalone queue poller on (default off: measure ingest, not processing)
          --max-seconds S       stop sending after S seconds in all (default 600)
          --timeout-seconds T   per-request timeout (default 30)
          --out FILE            also write the report into FILE, between the ingest-results markers
          --ingest-path PATH    where the ingest is served (default /api/stripe/webhook)
        """;

    public int Events { get; init; } = 2000;

    public int Concurrency { get; init; } = 8;

    public int WarmupRequests { get; init; } = 200;

    public TimeSpan WarmupDuration { get; init; } = TimeSpan.FromSeconds(5);

    public int Rounds { get; init; } = 10;

    public Uri? AppUrl { get; init; }

    public string? Secret { get; init; }

    public bool WithProcessing { get; init; }

    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(600);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public string? OutFile { get; init; }

    public Uri IngestPath { get; init; } = LoadEndpoint.DefaultIngestPath;

    /// <summary>Parses the arguments after <c>ingest</c>; throws <see cref="ArgumentException"/> with a readable message.</summary>
    public static IngestOptions Parse(IReadOnlyList<string> arguments)
    {
        var options = new IngestOptions();
        for (var i = 0; i < arguments.Count; i++)
        {
            var name = arguments[i];
            options = name switch
            {
                "--events" => options with { Events = Int(name, Value(arguments, ref i), 1, 100_000) },
                "--concurrency" => options with { Concurrency = Int(name, Value(arguments, ref i), 1, 256) },
                "--warmup" => options with { WarmupRequests = Int(name, Value(arguments, ref i), 0, 10_000) },
                "--warmup-seconds" => options with { WarmupDuration = TimeSpan.FromSeconds(Int(name, Value(arguments, ref i), 0, 600)) },
                "--rounds" => options with { Rounds = Int(name, Value(arguments, ref i), 1, 1000) },
                "--app-url" => options with { AppUrl = LoopbackUrl(Value(arguments, ref i)) },
                "--secret" => options with { Secret = Value(arguments, ref i) },
                "--with-processing" => options with { WithProcessing = true },
                "--max-seconds" => options with { MaxDuration = TimeSpan.FromSeconds(Int(name, Value(arguments, ref i), 1, 3600)) },
                "--timeout-seconds" => options with { RequestTimeout = TimeSpan.FromSeconds(Int(name, Value(arguments, ref i), 1, 300)) },
                "--out" => options with { OutFile = Value(arguments, ref i) },
                "--ingest-path" => options with { IngestPath = RelativePath(Value(arguments, ref i)) },
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }

        if (options.Rounds > options.Events)
        {
            options = options with { Rounds = options.Events };
        }

        if (options.Secret is { } secret && (secret.Length == 0 || secret.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException("--secret must be a non-empty webhook secret without whitespace.");
        }

        return options;
    }

    private static string Value(IReadOnlyList<string> arguments, ref int index)
    {
        if (index + 1 >= arguments.Count)
        {
            throw new ArgumentException($"{arguments[index]} needs a value.");
        }

        return arguments[++index];
    }

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new ArgumentException($"{name} must be a whole number from {min} to {max} (was '{value}').");

    private static Uri RelativePath(string value) =>
        value.StartsWith('/') && Uri.TryCreate(value, UriKind.Relative, out var path)
            ? path
            : throw new ArgumentException($"--ingest-path must be a path starting with / (was '{value}').");

    private static Uri LoopbackUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"--app-url must be an absolute http(s) URL (was '{value}').");
        }

        // Load is only ever sent to this machine.
        return uri.IsLoopback
            ? new Uri(uri.GetLeftPart(UriPartial.Authority) + "/")
            : throw new ArgumentException($"--app-url must point at loopback (127.0.0.1, [::1] or localhost), not {uri.Host}.");
    }
}
