using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Billing.TestSupport;

/// <summary>One canned HTTP answer; <see cref="CannedHttpServer"/> closes the connection instead when the answer is null.</summary>
public sealed record CannedAnswer(string Status, string ContentType, string Body, string ExtraHeaders = "")
{
    /// <summary>
    /// Azure Storage unavailable or throttling, as it answers: a storage outage the real Functions host lives through
    /// (its queue listeners back off on 5xx; a refused connection stops the real host, so a refusing port tests what only
    /// the local host survives: docs/functions-host.md, "Known differences").
    /// </summary>
    public static CannedAnswer StorageBusy { get; } = new(
        "503 Server Busy",
        "application/xml",
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ServerBusy</Code><Message>The server is currently unable to receive requests. Please retry your request.</Message></Error>",
        "x-ms-error-code: ServerBusy\r\n");
}

/// <summary>
/// A loopback HTTP/1.1 server (HTTPS with a throw-away self-signed certificate when asked) that answers every request
/// with what <c>answer</c> gives at that moment: a service that answers, but not as it should.
/// </summary>
public sealed class CannedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<CannedAnswer?> _answer;
    private readonly X509Certificate2? _certificate;
    private readonly Task _serving;
    private int _requests;

    public CannedHttpServer(Func<CannedAnswer?> answer, bool https = false)
    {
        _answer = answer;
        _certificate = https ? SelfSigned() : null;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _serving = ServeAsync();
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>How many requests it read: proof that the service was met, not a connection failure.</summary>
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

        _certificate?.Dispose();
        _stop.Dispose();
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
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
                Stream stream = client.GetStream();
                if (_certificate is not null)
                {
                    var tls = new SslStream(stream);
                    await tls.AuthenticateAsServerAsync(_certificate);
                    stream = tls;
                }

                await using (stream)
                {
                    while (await ReadRequestAsync(stream))
                    {
                        Interlocked.Increment(ref _requests);
                        if (_answer() is not { } answer)
                        {
                            return;
                        }

                        var body = Encoding.UTF8.GetBytes(answer.Body);
                        var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                            $"HTTP/1.1 {answer.Status}\r\nContent-Type: {answer.ContentType}\r\n{answer.ExtraHeaders}Content-Length: {body.Length}\r\n\r\n"));
                        await stream.WriteAsync(head);
                        await stream.WriteAsync(body);
                        await stream.FlushAsync();
                    }
                }
            }
            catch (Exception e) when (e is IOException or AuthenticationException or SocketException or ObjectDisposedException)
            {
                // the client went away
            }
        }
    }

    /// <summary>Reads one request (head and Content-Length body); false at the end of the connection.</summary>
    private static async Task<bool> ReadRequestAsync(Stream stream)
    {
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
}
