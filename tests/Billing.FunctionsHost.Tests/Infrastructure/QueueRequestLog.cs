using System.Diagnostics.Tracing;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Azure.Core.Diagnostics;

namespace Billing.FunctionsHost.Tests.Infrastructure;

/// <summary>
/// The requests this process sends to one queue, read from Azure.Core's request log: what a request asked for (a
/// visibility timeout, say) when Azure gives no way to read its effect back.
/// </summary>
internal sealed partial class QueueRequestLog : IDisposable
{
    private readonly Channel<(string Method, Uri Uri)> requests = Channel.CreateUnbounded<(string, Uri)>();
    private readonly AzureEventSourceListener listener;

    public QueueRequestLog(string queueName) =>
        listener = new AzureEventSourceListener(
            (e, message) =>
            {
                // e.g. "Request [id] PUT http://127.0.0.1:10001/devstoreaccount1/<queue>/messages/<id>?popreceipt=...&visibilitytimeout=600", then headers
                if (e.EventName == "Request" && RequestLine().Match(message) is { Success: true } line
                    && new Uri(line.Groups["uri"].Value) is var uri && uri.AbsolutePath.Split('/') is [_, _, var queue, ..] && queue == queueName)
                {
                    requests.Writer.TryWrite((line.Groups["method"].Value, uri));
                }
            },
            EventLevel.Informational);

    /// <summary>The next request to the queue that <paramref name="matches"/>, skipping others.</summary>
    public async Task<Uri> NextAsync(Func<string, Uri, bool> matches, string what)
    {
        try
        {
            while (true)
            {
                var (method, uri) = await requests.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
                if (matches(method, uri))
                {
                    return uri;
                }
            }
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"No {what} was sent.", e);
        }
    }

    public void Dispose() => listener.Dispose();

    [GeneratedRegex(@"^Request \[[^\]]*\] (?<method>[A-Z]+) (?<uri>\S+)")]
    private static partial Regex RequestLine();
}
