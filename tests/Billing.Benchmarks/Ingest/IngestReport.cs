using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Billing.Benchmarks.Ingest;

/// <summary>The run as a self-explanatory markdown section: setup, one row per endpoint, the ingest/bare ratios, and what
/// went wrong in words.</summary>
internal static class IngestReport
{
    public const string BeginMarker = "<!-- ingest-results:begin (written by `ingest --out`) -->";
    public const string EndMarker = "<!-- ingest-results:end -->";

    public static string ToMarkdown(IngestRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var options = run.Options;
        var text = new StringBuilder();
        text.AppendLine(Invariant($"#### Ingest run of {run.StartedAt:yyyy-MM-dd HH:mm} UTC"));
        text.AppendLine();
        text.AppendLine(Invariant($"- Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}; load average {run.LoadBefore ?? "n/a"} before, {run.LoadAfter ?? "n/a"} after (shared machine: read the ratios; absolute figures are this machine's at that moment)."));
        text.AppendLine(Invariant($"- Server: {run.Target}; health before the run: {run.Health}."));
        text.AppendLine(Invariant($"- Load: {options.Events} distinct `customer.subscription.updated` events ({run.BodyBytes:N0} bytes each, {run.BodySource}), each signed with `Stripe-Signature` just before sending, POSTed once to each endpoint; {options.Concurrency} concurrent senders (closed loop, HTTP/1.1 keep-alive, client on the same machine); a warm-up first (fresh events, not counted: {run.WarmupSent}, at least {options.WarmupDuration.TotalSeconds:0} s each); then {run.RoundsCompleted} of {options.Rounds} rounds alternating ingest and bare (the first endpoint alternates too) over the same bodies."));
        text.AppendLine("- Throughput = successful requests / time spent sending to that endpoint; latency = send to full answer read, successful requests only.");
        text.AppendLine();
        text.AppendLine("| endpoint | requests | ok | errors | throughput (req/s) | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        AppendRow(text, run.Bare);
        AppendRow(text, run.Ingest);
        AppendRatioRow(text, run.Ingest, run.Bare);
        text.AppendLine();
        text.AppendLine("Ratios are ingest / bare from this same run: below 1 for throughput and above 1 for latency means ingest costs more than the bare round trip.");
        text.AppendLine();
        AppendFindings(text, run);
        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, EndpointMeasurement measurement)
    {
        var name = $"{measurement.Endpoint.Name} `{measurement.Endpoint.Describe}`";
        if (measurement.Latency is not { } latency)
        {
            var why = measurement.Endpoint.IsIngest && AllNotFound(measurement)
                ? "pending: not in this build (404); merge the ingest and run `ingest` again"
                : "no successful request";
            text.AppendLine(Invariant($"| {name} | {measurement.Requests} | 0 | {measurement.Failed} | {why} | - | - | - | - |"));
            return;
        }

        text.AppendLine(Invariant($"| {name} | {measurement.Requests} | {measurement.Succeeded} | {measurement.Failed} | {measurement.Throughput:0.0} | {Ms(latency.P50)} | {Ms(latency.P90)} | {Ms(latency.P99)} | {Ms(latency.Max)} |"));
    }

    private static void AppendRatioRow(StringBuilder text, EndpointMeasurement ingest, EndpointMeasurement bare)
    {
        if (ingest.Latency is not { } i || bare.Latency is not { } b)
        {
            text.AppendLine("| **ratio ingest / bare** | | | | n/a | n/a | n/a | n/a | n/a |");
            return;
        }

        text.AppendLine(Invariant($"| **ratio ingest / bare** | | | | **{ingest.Throughput / bare.Throughput:0.00}** | **{Ratio(i.P50, b.P50)}** | **{Ratio(i.P90, b.P90)}** | **{Ratio(i.P99, b.P99)}** | {Ratio(i.Max, b.Max)} |"));
    }

    private static void AppendFindings(StringBuilder text, IngestRun run)
    {
        var findings = new List<string>();
        if (run.StoppedEarly is { } reason)
        {
            findings.Add($"The run stopped early: {reason}.");
        }

        foreach (var measurement in new[] { run.Bare, run.Ingest })
        {
            foreach (var (error, count, example) in measurement.FailuresByKind)
            {
                var sample = example is null ? "" : $" (first answer: `{example.Replace('`', '\'')}`)";
                findings.Add(Invariant($"{measurement.Endpoint.Name}: {count} x {error}{sample}."));
            }

            if (AllNotFound(measurement))
            {
                findings.Add(measurement.Endpoint.IsIngest
                    ? $"Every ingest request answered 404: this build has no `{measurement.Endpoint.Describe}` (the ingest is not merged yet, or it is served elsewhere: see --ingest-path); its figures are pending."
                    : $"Every bare request answered 404: the server runs without `Benchmarks__BareEndpoint=true`.");
            }
        }

        if (run.Queue is { } queue)
        {
            var accepted = run.Ingest.Succeeded + run.WarmupIngestSucceeded;
            findings.Add(Invariant($"After the run the Stripe events {queue}; ingest accepted {accepted} distinct events ({run.WarmupIngestSucceeded} of them in the warm-up), so {accepted} is expected if each accepted event is enqueued once."));
        }

        if (findings.Count == 0)
        {
            findings.Add("No errors.");
        }

        foreach (var finding in findings)
        {
            text.AppendLine("- " + finding);
        }
    }

    private static bool AllNotFound(EndpointMeasurement measurement) =>
        measurement.Requests > 0 && measurement.FailuresByKind is [{ Error: "HTTP 404 NotFound", Count: var count }] && count == measurement.Requests;

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Ratio(TimeSpan ingest, TimeSpan bare) =>
        bare > TimeSpan.Zero ? (ingest / bare).ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    private static string Invariant(FormattableString value) => FormattableString.Invariant(value);
}
