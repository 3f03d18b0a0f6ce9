using System.Web;
using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Queues;
using Billing.FunctionsHost.Rpc;
using Billing.FunctionsHost.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Billing.FunctionsHost.Tests.Unit;

/// <summary>The queue listener against Azurite, on a fake clock, with the worker played by the test.</summary>
public sealed class QueueListenerTests : IAsyncLifetime
{
    private static readonly TimeSpan Renewal = TimeSpan.FromMinutes(5);
    private readonly string queueName = Storage.UniqueQueueName("listener");
    private readonly ClockWithTimers time = new();
    private readonly ScriptedWorker worker;
    private readonly HostJsonOptions hostJson;

    public QueueListenerTests()
    {
        hostJson = HostJsonOptions.Parse("""{ "functionTimeout": "-1", "extensions": { "queues": { "maxPollingInterval": "00:00:02" } } }""", 1); // no invocation timer among the poll delays
        var settings = new AppSettings(new Dictionary<string, string> { ["AzureWebJobsStorage"] = Storage.ConnectionString, ["LISTENER_QUEUE"] = queueName }, _ => null);
        worker = new ScriptedWorker(time, ScriptedWorker.QueueFunction("%LISTENER_QUEUE%"), hostJson, settings);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => worker.DisposeAsync().AsTask();

    [Fact]
    public async Task The_idle_back_off_starts_again_from_the_minimum_after_a_batch()
    {
        // The real listener's CreateDelayWithNotificationTask asks RandomizedExponentialBackoffStrategy for
        // GetNextDelay(executionSucceeded: true) after a poll that found messages: the minimum, with the exponent back to 1.
        var queue = Storage.Queue(queueName);
        await queue.CreateAsync();
        var session = await worker.StartAsync();
        time.ForgetTimers(); // the handshake's
        using var listener = CreateListener(session.Functions[0]);
        using var stop = new CancellationTokenSource();
        var running = listener.RunAsync(stop.Token);
        for (var emptyPoll = 0; emptyPoll < 3; emptyPoll++)
        {
            time.Advance(await time.NextTimerAsync()); // 100, 180-220, 260-340 ms
        }

        var grown = await time.NextTimerAsync(); // 420-580 ms, after the fourth empty poll
        await queue.SendMessageAsync("wake up");
        time.Advance(grown);
        var invocation = await NextInvocationAsync();
        worker.Complete(invocation);

        var afterBatch = await NextPollDelayAsync();
        time.Advance(afterBatch);
        var next = await NextPollDelayAsync();

        Assert.Equal(TimeSpan.FromMilliseconds(100), afterBatch);
        Assert.InRange(next.TotalMilliseconds, 180, 220);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task A_message_renewed_twice_is_renewed_and_deleted_with_the_newest_pop_receipt()
    {
        // Each visibility update returns a new pop receipt and voids the old one; the real listener's
        // UpdateQueueMessageVisibilityCommand hands each UpdateReceipt back (onUpdateReceipt) for the next update and the
        // delete. With a stale one both answer 404 and the message comes back after its lease and runs again.
        var queue = Storage.Queue(queueName);
        await queue.CreateAsync();
        await queue.SendMessageAsync("long running");
        var session = await worker.StartAsync();
        using var listener = CreateListener(session.Functions[0]);
        using var stop = new CancellationTokenSource();
        var running = listener.RunAsync(stop.Token);
        var invocation = await NextInvocationAsync();

        await time.AdvanceThroughAsync(Renewal);
        await time.AdvanceThroughAsync(Renewal);
        var third = time.WaitForTimerAsync(Renewal);
        var failed = Wait.UntilAsync(() => worker.Log.GetSnapshot().Any(IsUpdateFailure), TimeSpan.FromSeconds(30), "a failed update");
        await Task.WhenAny(third, failed);
        Assert.DoesNotContain(worker.Log.GetSnapshot(), IsUpdateFailure);

        worker.Complete(invocation);
        await stop.CancelAsync();
        await running;

        Assert.DoesNotContain(worker.Log.GetSnapshot(), IsUpdateFailure);
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_running_message_is_received_and_renewed_for_ten_minutes_each_time()
    {
        // The real listener receives with a 10-minute visibility and its UpdateQueueMessageVisibilityCommand renews every
        // 5 minutes with the same: the message stays hidden for 5 minutes past a missed renewal (a slow or lost request).
        var queue = Storage.Queue(queueName);
        await queue.CreateAsync();
        await queue.SendMessageAsync("long running");
        using var requests = new QueueRequestLog(queueName);
        var session = await worker.StartAsync();
        using var listener = CreateListener(session.Functions[0]);
        using var stop = new CancellationTokenSource();
        var running = listener.RunAsync(stop.Token);
        var invocation = await NextInvocationAsync();
        var receive = await requests.NextAsync((method, uri) => method == "GET" && uri.AbsolutePath.EndsWith("/messages", StringComparison.Ordinal), "receive");

        var visibilities = new List<string?> { HttpUtility.ParseQueryString(receive.Query)["visibilitytimeout"] };
        for (var renewal = 0; renewal < 2; renewal++)
        {
            await time.AdvanceThroughAsync(Renewal);
            var update = await requests.NextAsync((method, uri) => method == "PUT" && uri.AbsolutePath.Contains("/messages/", StringComparison.Ordinal), "visibility update");
            visibilities.Add(HttpUtility.ParseQueryString(update.Query)["visibilitytimeout"]);
        }

        worker.Complete(invocation);
        await stop.CancelAsync();
        await running;

        Assert.Equal(["600", "600", "600"], visibilities);
    }

    [Fact]
    public async Task A_failed_message_is_released_for_host_jsons_visibility_timeout()
    {
        // QueueProcessor.ReleaseMessageAsync: a failure before maxDequeueCount makes the message visible again after
        // visibilityTimeout (host.json), the back-off between deliveries, not at once.
        var queue = Storage.Queue(queueName);
        await queue.CreateAsync();
        await queue.SendMessageAsync("fails once");
        using var requests = new QueueRequestLog(queueName);
        var session = await worker.StartAsync();
        var released = HostJsonOptions.Parse("""{ "functionTimeout": "-1", "extensions": { "queues": { "maxPollingInterval": "00:00:02", "visibilityTimeout": "00:00:30" } } }""", 1);
        using var listener = CreateListener(session.Functions[0], released);
        using var stop = new CancellationTokenSource();
        var running = listener.RunAsync(stop.Token);

        worker.Fail(await NextInvocationAsync());
        var release = await requests.NextAsync((method, uri) => method == "PUT" && uri.AbsolutePath.Contains("/messages/", StringComparison.Ordinal), "the release");
        await stop.CancelAsync();
        await running;

        Assert.Equal("30", HttpUtility.ParseQueryString(release.Query)["visibilitytimeout"]);
    }

    private static bool IsUpdateFailure(FakeLogRecord record) => record.Message.StartsWith("Updating message", StringComparison.Ordinal);

    private QueueListener CreateListener(Functions.FunctionDefinition function, HostJsonOptions? options = null) =>
        new(function, worker.Queues, options ?? hostJson, worker.Invoker, time, worker.Loggers.CreateLogger("Host.Queues"), worker.Loggers.CreateLogger("Host.Triggers.Queue"));

    private async Task<InvocationRequest> NextInvocationAsync()
    {
        while (true)
        {
            if ((await worker.NextFromHostAsync()).InvocationRequest is { } invocation)
            {
                return invocation;
            }
        }
    }

    /// <summary>The next timer that is not a visibility renewal's.</summary>
    private async Task<TimeSpan> NextPollDelayAsync()
    {
        while (true)
        {
            var delay = await time.NextTimerAsync();
            if (delay != Renewal)
            {
                return delay;
            }
        }
    }
}
