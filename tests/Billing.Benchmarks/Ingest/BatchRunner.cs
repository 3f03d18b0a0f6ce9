using System.Diagnostics;

namespace Billing.Benchmarks.Ingest;

/// <summary>Sends a batch of bodies to one endpoint with a fixed number of concurrent senders, each taking the next body
/// as soon as its previous request is answered (closed loop).</summary>
internal static class BatchRunner
{
    /// <param name="stopSending">When cancelled (time budget spent, Ctrl+C), no new request starts; requests in flight finish.</param>
    /// <param name="cancellationToken">Cancels requests in flight (Ctrl+C).</param>
    public static async Task<BatchResult> RunAsync(
        WebhookSender sender,
        LoadEndpoint endpoint,
        IReadOnlyList<byte[]> bodies,
        int concurrency,
        CancellationToken stopSending,
        CancellationToken cancellationToken)
    {
        var samples = new RequestSample?[bodies.Count];
        var next = -1;
        var started = Stopwatch.GetTimestamp();

        async Task SendLoopAsync()
        {
            while (!stopSending.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= bodies.Count)
                {
                    return;
                }

                try
                {
                    samples[index] = await sender.SendAsync(endpoint.Path, bodies[index], cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, bodies.Count)).Select(_ => Task.Run(SendLoopAsync, CancellationToken.None)));
        return new BatchResult(endpoint, samples.OfType<RequestSample>().ToList(), Stopwatch.GetElapsedTime(started));
    }
}
