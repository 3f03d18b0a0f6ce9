using System.Diagnostics;
using System.Net.Http.Headers;
using Billing.Benchmarks.Load;
using Billing.Infrastructure.StripeApi.Webhooks;
using Billing.TestSupport;

namespace Billing.Benchmarks.Ingest;

/// <summary>POSTs one webhook body the way Stripe does (JSON, <c>Stripe-Signature</c> signed just before sending) and times
/// it. Never throws for a failed request: failures are samples.</summary>
internal sealed class WebhookSender(HttpClient http, string secret, TimeSpan requestTimeout, TimeProvider clock)
{
    private static readonly MediaTypeHeaderValue Json = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

    public async Task<RequestSample> SendAsync(Uri path, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation(StripeSignature.HeaderName, StripeSigner.Header(clock.GetUtcNow(), body, secret));
        request.Headers.UserAgent.ParseAdd("Stripe/1.0 (+https://stripe.com/docs/webhooks)");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(requestTimeout);

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var latency = Stopwatch.GetElapsedTime(started);
            if (response.IsSuccessStatusCode)
            {
                return new RequestSample(latency, null, null);
            }

            var answer = await response.Content.ReadAsStringAsync(cancellationToken);
            return new RequestSample(latency, $"HTTP {(int)response.StatusCode} {response.StatusCode}", Shorten(answer));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RequestSample(Stopwatch.GetElapsedTime(started), "timeout", $"no answer within {requestTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException exception)
        {
            return new RequestSample(Stopwatch.GetElapsedTime(started), $"connection error ({exception.HttpRequestError})", Shorten(exception.Message));
        }
    }

    private static string Shorten(string text)
    {
        var oneLine = text.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= 160 ? oneLine : oneLine[..160] + "...";
    }
}
