using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Billing.TestSupport;

namespace Billing.Cli.Tests.Support;

/// <summary>A loopback HTTP server that records each request and answers with a canned response.</summary>
internal sealed class CannedServer : IAsyncDisposable
{
    public sealed record Request(string Method, string PathAndQuery, string? Authorization, string Body);

    public sealed record Response(int Status, string Body, string ContentType = "application/json");

    private readonly HttpListener _listener;
    private readonly Func<Request, Response> _respond;
    private readonly Task _loop;

    public CannedServer(Func<Request, Response> respond)
    {
        _respond = respond;
        (_listener, BaseAddress) = FreePort.StartHttpListener();
        _loop = Task.Run(ServeAsync);
    }

    public CannedServer(int status, string body, string contentType = "application/json")
        : this(_ => new Response(status, body, contentType))
    {
    }

    public Uri BaseAddress { get; }

    public string Url => BaseAddress.ToString();

    public ConcurrentQueue<Request> Requests { get; } = new();

    public async ValueTask DisposeAsync() => await FreePort.StopHttpListenerAsync(_listener, _loop);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var request = new Request(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, context.Request.Headers["Authorization"], await reader.ReadToEndAsync());
            Requests.Enqueue(request);
            var response = _respond(request);
            var bytes = Encoding.UTF8.GetBytes(response.Body);
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = response.ContentType;
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
