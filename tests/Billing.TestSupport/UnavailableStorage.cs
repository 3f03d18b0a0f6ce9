using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Billing.TestSupport;

/// <summary>
/// A loopback HTTP server that answers every request <c>503 Server Busy</c>, as Azure Storage answers when it is
/// unavailable or throttling: a storage outage as the real Functions host lives through it (its queue listeners back
/// off on 5xx; a refused connection stops the real host, so a refusing port tests what only the local host survives:
/// docs/functions-host.md, "Known differences").
/// </summary>
public sealed class UnavailableStorage : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private int _requests;

    public UnavailableStorage()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _serving = ServeAsync();
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>How many requests it answered: proof that the outage was met, not a connection failure.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serving;
        }
        catch (Exception)
        {
            // stopped
        }

        _stop.Dispose();
    }

    /// <summary>Reads one HTTP/1.1 request (head and Content-Length body); false at the end of the connection.</summary>
    public static async Task<bool> ReadRequestAsync(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return false;
            }

            head.Append((char)one[0]);
        }

        var length = head.ToString().Split("\r\n")
            .Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture))
            .FirstOrDefault();
        await stream.ReadExactlyAsync(new byte[length]);
        return true;
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                while (await ReadRequestAsync(stream))
                {
                    Interlocked.Increment(ref _requests);
                    const string Body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ServerBusy</Code><Message>The server is currently unable to receive requests. Please retry your request.</Message></Error>";
                    var head = $"HTTP/1.1 503 Server Busy\r\nContent-Type: application/xml\r\nx-ms-error-code: ServerBusy\r\nx-ms-request-id: {Guid.NewGuid()}\r\nContent-Length: {Encoding.UTF8.GetByteCount(Body)}\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(Body));
                    await stream.FlushAsync();
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // the client went away
            }
        }
    }
}
