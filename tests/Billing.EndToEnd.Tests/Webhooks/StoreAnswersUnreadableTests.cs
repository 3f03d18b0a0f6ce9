using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;
using Xunit.Abstractions;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>
/// When what answers on the store's endpoint is not Cosmos DB, or answers what the SDK cannot read (200 empty, 200 or
/// 404 HTML, 500, a connection closed after the request): no API answers 200, or "not found", as if it had read the
/// store. (They answer 500 today: the SDK fails reading the account's properties, before any document request.)
/// </summary>
[Trait(LongClassesFirst.Trait, LongClassesFirst.LongRunning)]
public sealed class StoreAnswersUnreadableTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly NotCosmos _store = new();
    private WebhookStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await WebhookStack.StartAsync(emulator: false, configure: s =>
        {
            s["Billing__Cosmos__ConnectionString"] = LocalEmulators.CosmosServerConnectionString(_store.Port);
            s["Billing__Cosmos__ProvisionOnStartup"] = "false";
        });

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _store.DisposeAsync();
    }

    public static TheoryData<string> Answers => new() { "200 empty", "200 html", "404 html", "500", "close" };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task No_read_or_write_answers_as_if_it_had_read_the_store(string answer)
    {
        _store.Answer = answer;
        var failures = new List<string>();
        foreach (var (path, admin) in new[]
                 {
                     ("/api/billing/subscription", false), ("/api/billing/usage?period=current", false), ("/api/billing/credits", false),
                     ("/api/billing/entitlements", false), ("/api/billing/admin/accounts", true), ("/api/billing/admin/accounts/acct-unreadable", true),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DevelopmentTokens.For("acct-unreadable", admin));
            using var response = await _stack.App.Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            output.WriteLine($"{answer} GET {path}: {(int)response.StatusCode} {body}");
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound)
            {
                failures.Add($"GET {path}: {(int)response.StatusCode} {body}");
            }
        }

        using (var record = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/usage", UriKind.Relative)))
        {
            record.Content = JsonContent.Create(new { accountId = "acct-unreadable", meter = "agent_runs", quantity = 1, idempotencyKey = Guid.NewGuid().ToString() });
            record.Headers.Add(ServiceCredentials.ApiKeyHeader, ServiceCredentials.ApiKey);
            using var response = await _stack.App.Http.SendAsync(record);
            var body = await response.Content.ReadAsStringAsync();
            output.WriteLine($"{answer} POST /api/usage: {(int)response.StatusCode} {body}");
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound)
            {
                failures.Add($"POST /api/usage: {(int)response.StatusCode} {body}");
            }
        }

        foreach (var line in _stack.App.Output.Split('\n').Where(l => l.Contains("Exception", StringComparison.Ordinal)).Distinct().Take(40))
        {
            output.WriteLine("app: " + line);
        }

        Assert.True(failures.Count == 0, answer + ":\n" + string.Join("\n", failures));
    }

    /// <summary>An HTTPS server on a loopback port that answers every request with <see cref="Answer"/>.</summary>
    private sealed class NotCosmos : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly X509Certificate2 _certificate;
        private readonly Task _serving;

        public NotCosmos()
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            _certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _serving = ServeAsync();
        }

        public int Port { get; }

        public volatile string Answer = "500";

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

            _certificate.Dispose();
            _stop.Dispose();
        }

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => HandleAsync(client));
            }
        }

        private async Task HandleAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    await using var tls = new SslStream(client.GetStream());
                    await tls.AuthenticateAsServerAsync(_certificate);
                    while (await UnavailableStorage.ReadRequestAsync(tls))
                    {
                        var answer = Answer;
                        if (answer == "close")
                        {
                            return;
                        }

                        var (status, type, body) = answer switch
                        {
                            "200 empty" => ("200 OK", "application/json", ""),
                            "200 html" => ("200 OK", "text/html", "<html><body>It works!</body></html>"),
                            "404 html" => ("404 Not Found", "text/html", "<html><body>Not Found</body></html>"),
                            _ => ("500 Internal Server Error", "text/plain", "oops"),
                        };
                        var bytes = Encoding.UTF8.GetBytes(body);
                        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: {type}\r\nContent-Length: {bytes.Length}\r\n\r\n");
                        await tls.WriteAsync(head);
                        await tls.WriteAsync(bytes);
                        await tls.FlushAsync();
                    }
                }
                catch (Exception e) when (e is IOException or AuthenticationException or SocketException or ObjectDisposedException)
                {
                    // the client went away
                }
            }
        }
    }
}

/// <summary>
/// When the store answers, but the database or its containers are not there (deleted, or a wrong database name with
/// provisioning off): Cosmos DB answers 404 to every document request, which must not read as "no such document".
/// </summary>
public sealed class StoreWithoutDatabaseTests(ITestOutputHelper output) : IAsyncLifetime
{
    private WebhookStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await WebhookStack.StartAsync(emulator: false, configure: s =>
        {
            s["Billing__Cosmos__DatabaseName"] = "missing-" + Guid.NewGuid().ToString("N");
            s["Billing__Cosmos__ProvisionOnStartup"] = "false";
        });

    public Task DisposeAsync() => _stack.DisposeAsync().AsTask();

    [Theory]
    [InlineData("/api/billing/subscription", false)]
    [InlineData("/api/billing/usage?period=current", false)]
    [InlineData("/api/billing/credits", false)]
    [InlineData("/api/billing/entitlements", false)]
    [InlineData("/api/billing/admin/accounts", true)]
    [InlineData("/api/billing/admin/accounts/acct-nodb", true)]
    public async Task Reads_do_not_answer_as_if_the_account_had_nothing(string path, bool admin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DevelopmentTokens.For("acct-nodb", admin));

        using var response = await _stack.App.Http.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"{(int)response.StatusCode} {body}");
        // Never 200 with a free plan and nothing used, or 404 "no such account": 503 unavailable, for point reads and
        // queries (the admin account list) alike.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }
}
