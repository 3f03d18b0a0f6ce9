using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Billing.TestSupport;

namespace Billing.StripeEmulator.Tests.Infrastructure;

/// <summary>
/// A small HTTP endpoint standing in for the backend's webhook route: records every delivery with its signature
/// check, and can be told to answer the next requests with an error.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentQueue<WebhookDelivery> _deliveries = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _failuresToSend;
    private int _failureStatus = 500;

    public WebhookReceiver(string secret)
    {
        Secret = secret;
        (_listener, var root) = FreePort.StartHttpListener();
        Url = $"{root}webhooks/stripe";
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public string Secret { get; }

    public IReadOnlyList<WebhookDelivery> Deliveries => [.. _deliveries];

    /// <summary>Deliveries answered 2xx, as the backend would have processed them.</summary>
    public IReadOnlyList<WebhookDelivery> Accepted => [.. _deliveries.Where(d => d.RespondedStatus is >= 200 and < 300)];

    public IReadOnlyList<string> AcceptedTypes => [.. Accepted.Select(d => d.Type)];

    public void FailNext(int count, int status = 500)
    {
        _failureStatus = status;
        Interlocked.Exchange(ref _failuresToSend, count);
    }

    public void Clear()
    {
        Interlocked.Exchange(ref _failuresToSend, 0);
        _deliveries.Clear();
    }

    public async Task<IReadOnlyList<WebhookDelivery>> WaitForAsync(Func<IReadOnlyList<WebhookDelivery>, bool> condition, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            var accepted = Accepted;
            if (condition(accepted))
            {
                return accepted;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Webhook condition not met{(what is null ? string.Empty : $" ({what})")}; received: {string.Join(", ", Deliveries.Select(d => $"{d.Type}:{d.RespondedStatus}"))}");
    }

    /// <summary>Waits until the accepted deliveries include all these event types (in any order).</summary>
    public Task<IReadOnlyList<WebhookDelivery>> WaitForTypesAsync(params string[] types) =>
        WaitForAsync(d => types.All(t => d.Any(x => x.Type == t)), what: string.Join(", ", types));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await FreePort.StopHttpListenerAsync(_listener, _loop);
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer);
            var rawBody = buffer.ToArray();
            var body = Encoding.UTF8.GetString(rawBody);
            var signature = context.Request.Headers["Stripe-Signature"];
            var status = Interlocked.Decrement(ref _failuresToSend) >= 0 ? _failureStatus : 200;
            if (status == 200)
            {
                Interlocked.Exchange(ref _failuresToSend, 0);
            }

            JsonNode? parsed = null;
            try
            {
                parsed = JsonNode.Parse(body);
            }
            catch (System.Text.Json.JsonException)
            {
            }

            _deliveries.Enqueue(new WebhookDelivery(
                rawBody,
                body,
                parsed,
                signature,
                StripeSignature.IsValid(signature, body, Secret, DateTimeOffset.UtcNow),
                status,
                context.Request.ContentType,
                DateTimeOffset.UtcNow));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }
}

/// <summary>One received request: <see cref="RawBody"/> holds the bytes exactly as sent (what a receiver must verify).</summary>
public sealed record WebhookDelivery(byte[] RawBody, string Body, JsonNode? Event, string? Signature, bool SignatureValid, int RespondedStatus, string? ContentType, DateTimeOffset ReceivedAt)
{
    public string Type => Event?["type"]?.GetValue<string>() ?? "(unparsable)";

    public string EventId => Event?["id"]?.GetValue<string>() ?? "(unparsable)";

    public JsonNode DataObject => Event!["data"]!["object"]!;
}
