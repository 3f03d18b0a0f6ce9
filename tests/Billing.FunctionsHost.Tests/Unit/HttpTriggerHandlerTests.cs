using System.Net;
using System.Net.Sockets;
using System.Text;
using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Hosting;
using Billing.FunctionsHost.Http;
using Billing.FunctionsHost.Tests.Infrastructure;
using Billing.FunctionsHost.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Billing.FunctionsHost.Tests.Unit;

/// <summary>The public port's handler, forwarding to a worker played by the test (<see cref="ScriptedWorker"/>) whose HTTP server is a bare socket.</summary>
public sealed class HttpTriggerHandlerTests : IAsyncLifetime
{
    private static readonly TimeSpan FunctionTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly ClockWithTimers time = new();
    private readonly TcpListener workerHttp = new(IPAddress.Loopback, 0);
    private readonly ScriptedWorker worker;
    private readonly HttpForwarder forwarder = new();

    public HttpTriggerHandlerTests()
    {
        workerHttp.Start();
        var hostJson = HostJsonOptions.Parse($$"""{ "functionTimeout": "{{FunctionTimeout}}" }""", 1);
        var settings = new AppSettings(new Dictionary<string, string>(), _ => null);
        worker = new ScriptedWorker(time, ScriptedWorker.HttpFunction("slow"), hostJson, settings, new Uri($"http://127.0.0.1:{((IPEndPoint)workerHttp.LocalEndpoint).Port}/"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        workerHttp.Stop();
        forwarder.Dispose();
        await worker.DisposeAsync();
    }

    [Fact]
    public async Task A_request_the_function_has_not_answered_by_the_function_timeout_is_cut_off_then_and_answered_500()
    {
        // At functionTimeout, on the host's clock as the invoker's own timeout, the forwarding is cut off and the client
        // gets the invocation's failure: a 500 with no body.
        var session = await worker.StartAsync();
        time.ForgetTimers(); // the handshake's
        var (handling, context) = Handle(session, "/api/slow");
        var invocation = (await worker.NextFromHostAsync()).InvocationRequest;
        using var forwarded = await workerHttp.AcceptTcpClientAsync().WaitAsync(Deadline);
        Assert.StartsWith("GET /api/slow HTTP/1.1", await ReadRequestHeadAsync(forwarded.GetStream()).WaitAsync(Deadline), StringComparison.Ordinal); // never answered
        await time.WaitForTimerAsync(FunctionTimeout); // the forwarding's and the invocation's
        await time.AdvanceThroughAsync(FunctionTimeout);

        await ReadToTheEndAsync(forwarded.GetStream()).WaitAsync(Deadline);
        Assert.Equal(invocation.InvocationId, (await worker.NextFromHostAsync()).InvocationCancel?.InvocationId);
        worker.Complete(invocation); // it stopped when cancelled, within the grace period
        await handling.WaitAsync(Deadline);

        Assert.Equal(StatusCodes.Status500InternalServerError, context.Response.StatusCode);
        Assert.Equal(0, context.Response.Body.Length); // as on the real host: no body
    }

    [Fact]
    public async Task A_request_whose_function_ignores_its_cancellation_is_answered_500_and_its_worker_restarted()
    {
        // WebJobs' timeout grace: a function still running 2 s after functionTimeout and InvocationCancel has its
        // worker restarted by the script host; the request got the invocation's failure, a 500 with no body.
        var session = await worker.StartAsync();
        time.ForgetTimers(); // the handshake's
        using var stop = new CancellationTokenSource();
        var supervising = worker.Supervisor.SuperviseAsync(stop.Token);
        var (handling, context) = Handle(session, "/api/slow");
        await worker.NextFromHostAsync(); // the InvocationRequest, never answered
        using var forwarded = await workerHttp.AcceptTcpClientAsync().WaitAsync(Deadline);
        await ReadRequestHeadAsync(forwarded.GetStream()).WaitAsync(Deadline);

        await time.WaitForTimerAsync(FunctionTimeout); // the forwarding's and the invocation's
        await time.AdvanceThroughAsync(FunctionTimeout);
        Assert.NotNull((await worker.NextFromHostAsync()).InvocationCancel); // ignored
        await time.AdvanceThroughAsync(FunctionInvoker.TimeoutGrace);
        await handling.WaitAsync(Deadline);

        Assert.Equal(StatusCodes.Status500InternalServerError, context.Response.StatusCode);
        Assert.Equal(0, context.Response.Body.Length);
        Assert.Equal(137, await session.Process.Exited.WaitAsync(Deadline)); // SIGKILL
        await time.AdvanceThroughAsync(TimeSpan.FromMilliseconds(500)); // the restart's back-off
        await worker.ConnectNextAsync();
        Assert.NotSame(session, worker.Supervisor.Current);
        await stop.CancelAsync();
        Assert.Null(await supervising);
    }

    [Fact]
    public async Task A_request_whose_invocation_fails_after_its_answer_started_does_not_get_a_complete_answer()
    {
        // On the real host the failed invocation reaches ExceptionMiddleware.Invoke, which rethrows once the response
        // has started; Kestrel then ends the connection without the answer's end (HttpProtocol.ProduceEnd: no final
        // chunk), so the client sees an error, not a complete 200.
        var session = await worker.StartAsync();
        time.ForgetTimers(); // the handshake's
        await using var app = await ServeAsync(session);
        using var client = new HttpClient();
        var asking = client.GetAsync(new Uri(new Uri(app.Urls.Single()), "/api/slow"), HttpCompletionOption.ResponseHeadersRead);
        var invocation = (await worker.NextFromHostAsync()).InvocationRequest;
        using var forwarded = await workerHttp.AcceptTcpClientAsync().WaitAsync(Deadline);
        await ReadRequestHeadAsync(forwarded.GetStream()).WaitAsync(Deadline);
        await forwarded.GetStream().WriteAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"u8.ToArray());
        using var response = await asking.WaitAsync(Deadline); // the answer started

        worker.Fail(invocation);

        await Assert.ThrowsAsync<HttpRequestException>(() => response.Content.ReadAsStringAsync().WaitAsync(Deadline));
    }

    /// <summary>Starts handling a GET of <paramref name="path"/> on a handler for <paramref name="session"/>'s functions; the answer is kept in memory.</summary>
    private (Task Handling, DefaultHttpContext Context) Handle(WorkerSession session, string path)
    {
        var context = new DefaultHttpContext { Request = { Method = "GET", Path = path }, Response = { Body = new MemoryStream() } };
        return (Handler(session).HandleAsync(context), context);
    }

    /// <summary>The handler for <paramref name="session"/>'s functions served by Kestrel on a random port of 127.0.0.1, as the host serves its public port.</summary>
    private async Task<WebApplication> ServeAsync(WorkerSession session)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(Handler(session).HandleAsync);
        await app.StartAsync();
        return app;
    }

    private HttpTriggerHandler Handler(WorkerSession session)
    {
        var state = new HostState { Routes = HttpRouteTable.Build(session.Functions, "api", new ServiceCollection().AddRouting().BuildServiceProvider().GetRequiredService<IInlineConstraintResolver>()) };
        return new HttpTriggerHandler(state, worker.Invoker, forwarder, new CorsPolicy([]), time, worker.Loggers);
    }

    /// <summary>Reads the forwarded request's line and headers (it has no body).</summary>
    private static async Task<string> ReadRequestHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            Assert.NotEqual(0, read);
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return head.ToString();
    }

    /// <summary>Reads what the host sent until it closes or resets the connection.</summary>
    private static async Task ReadToTheEndAsync(NetworkStream stream)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        }
        catch (IOException)
        {
            // Reset: closed as well.
        }
    }
}
