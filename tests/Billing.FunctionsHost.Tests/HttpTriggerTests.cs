using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Billing.FunctionsHost.Tests.Infrastructure;

namespace Billing.FunctionsHost.Tests;

/// <summary>One host for all HTTP tests: it serves several requests concurrently and never restarts here.</summary>
public sealed class HttpHostFixture : IAsyncLifetime
{
    public const string AllowedOrigin = "http://app.example.test";

    internal HostProcess Host { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Host = await HostProcess.StartReadyAsync(extraArguments: ["--cors", AllowedOrigin]);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public sealed class HttpTriggerTests(HttpHostFixture fixture) : IClassFixture<HttpHostFixture>
{
    private HttpClient Http => fixture.Host.Http;

    [Fact]
    public async Task A_get_reaches_the_function_with_its_route_values_and_query()
    {
        using var response = await Http.GetAsync("api/echo/42/ada?q=hello%20world");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType); // the worker's response headers come through
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(42, body.GetProperty("id").GetInt32());
        Assert.Equal("ada", body.GetProperty("name").GetString());
        Assert.Equal("hello world", body.GetProperty("q").GetString());
        Assert.True(body.GetProperty("invocationHeader").GetBoolean());
    }

    [Theory]
    [InlineData("x%2541", "x%41")]
    [InlineData("100%25", "100%")]
    [InlineData("caf%C3%A9%20%2B%3F", "café +?")]
    public async Task A_route_value_reaches_the_function_decoded_once(string sent, string expected)
    {
        using var response = await Http.GetAsync($"api/echo/1/{sent}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_start_banner_lists_every_function_with_its_trigger()
    {
        var output = fixture.Host.Output;
        Assert.Contains($"  Echo: [GET] http://127.0.0.1:{fixture.Host.Port}/api/echo/{{id:int}}/{{name?}}", output);
        Assert.Contains(output, l => l.StartsWith("  Consume: queueTrigger (unused-", StringComparison.Ordinal));
        Assert.Contains("  Tick: timerTrigger (0 0 0 1 1 *)", output);
        using var status = await Http.GetAsync("admin/host/status");
        Assert.Equal("""{"state":"Running"}""", await status.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("api/nothing-here")]
    [InlineData("api/echo/not-a-number")]
    public async Task A_path_no_function_matches_is_404_problem(string path)
    {
        using var response = await Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_method_the_function_does_not_accept_is_404_as_on_the_real_host()
    {
        using var response = await Http.DeleteAsync("api/echo/1");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("No function accepts DELETE", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_one_megabyte_body_streams_through_intact()
    {
        var payload = new byte[1024 * 1024];
        new Random(7).NextBytes(payload);

        using var response = await Http.PostAsync("api/upload", new ByteArrayContent(payload));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(payload.Length, body.GetProperty("length").GetInt64());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(payload)), body.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Thirty_two_requests_run_concurrently()
    {
        // Each answers only once all 32 are in at the same time (the fixture's Gather): requests run one after another,
        // or a few at a time, never answer. The deadline only bounds that hang.
        var key = Guid.NewGuid().ToString("N");

        var responses = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Http.GetAsync($"api/gather/{key}/32"))).WaitAsync(TimeSpan.FromSeconds(45));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task A_client_that_goes_away_cancels_the_function()
    {
        // The real host runs an HTTP invocation with the request's abort token, so a client that disconnects gets the
        // function cancelled (InvocationCancel), not left running to its end. The client goes once the function runs in
        // the worker (its own log line), not at the host's "Executing": a cancel sent before the worker has taken the
        // invocation in is lost there, on the real host too.
        const string Path = "api/slow/29000";
        using (var gone = new CancellationTokenSource())
        {
            var request = Http.GetAsync(Path, gone.Token);
            await fixture.Host.WaitForLineAsync(l => l.Contains($"Fixture slow request /{Path} started", StringComparison.Ordinal), TimeSpan.FromSeconds(25));
            await gone.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        }

        var started = fixture.Host.Output.Single(l => l.Contains($"Fixture slow request /{Path} started", StringComparison.Ordinal));
        var id = started[(started.IndexOf("Id=", StringComparison.Ordinal) + 3)..].TrimEnd(')');
        await Wait.UntilAsync(() => fixture.Host.Output.Any(l => l.Contains("Executed 'Functions.Slow'", StringComparison.Ordinal) && l.Contains(id, StringComparison.Ordinal)), TimeSpan.FromSeconds(15), "the cancelled invocation to end");
    }

    [Fact]
    public async Task A_body_over_100_MB_is_413_before_it_is_sent()
    {
        // The real host's Kestrel limit (ScriptConstants.DefaultMaxRequestBodySize, 100 MB): a declared length over it
        // is refused at once.
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", fixture.Host.Port);
        var stream = client.GetStream();
        var head = $"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {(100L * 1024 * 1024) + 1}\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
        using var reader = new StreamReader(stream);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        Assert.StartsWith("HTTP/1.1 413", await reader.ReadLineAsync(timeout.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_function_that_throws_is_a_500_with_no_body()
    {
        // The worker answers a throwing function with an empty 200 and a failed InvocationResponse. The real host copies
        // that empty answer without starting the response, then the failed invocation reaches its ExceptionMiddleware,
        // which sets 500 and writes nothing.
        using var response = await Http.GetAsync("api/throw");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentType);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Cors_preflight_and_responses_carry_allow_origin_for_configured_origins()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "api/upload");
        preflight.Headers.Add("Origin", HttpHostFixture.AllowedOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var preflightResponse = await Http.SendAsync(preflight);
        using var get = new HttpRequestMessage(HttpMethod.Get, "api/echo/1");
        get.Headers.Add("Origin", "http://elsewhere.test");
        using var otherOrigin = await Http.SendAsync(get);
        using var allowed = new HttpRequestMessage(HttpMethod.Get, "api/echo/1");
        allowed.Headers.Add("Origin", HttpHostFixture.AllowedOrigin);
        using var allowedOrigin = await Http.SendAsync(allowed);

        Assert.Equal(HttpStatusCode.NoContent, preflightResponse.StatusCode);
        Assert.Equal(HttpHostFixture.AllowedOrigin, preflightResponse.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("POST", preflightResponse.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.False(otherOrigin.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpHostFixture.AllowedOrigin, allowedOrigin.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }
}
