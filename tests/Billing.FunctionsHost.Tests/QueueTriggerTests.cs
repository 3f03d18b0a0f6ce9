using System.Text.Json;
using Azure.Storage.Queues;
using Billing.FunctionsHost.Tests.Infrastructure;
using Billing.TestSupport;

namespace Billing.FunctionsHost.Tests;

public sealed class QueueTriggerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task A_message_is_consumed_once_with_its_metadata_bound_and_failures_end_in_poison()
    {
        var queueName = Storage.UniqueQueueName("fixture");
        var queue = Storage.Queue(queueName);
        var output = Storage.Queue(queueName + "-out");
        var poison = Storage.Queue(queueName + "-poison");
        await queue.CreateAsync();
        await using var host = await HostProcess.StartReadyAsync(new Dictionary<string, string> { ["FIXTURE_QUEUE"] = queueName });

        var sent = (await queue.SendMessageAsync("hello queue")).Value;
        var failing = (await queue.SendMessageAsync("fail please")).Value;

        var recorded = await Wait.ForAsync(() => ReceiveOneAsync(output), Deadline, "the fixture's output message");
        using var document = JsonDocument.Parse(recorded);
        Assert.Equal("hello queue", document.RootElement.GetProperty("text").GetString());
        Assert.Equal(1, document.RootElement.GetProperty("dequeueCount").GetInt64());
        Assert.Equal(sent.MessageId, document.RootElement.GetProperty("id").GetString());
        // The rest of the trigger metadata, as QueueTriggerBinding's binding data contract names it.
        Assert.Equal(sent.InsertionTime, document.RootElement.GetProperty("insertionTime").GetDateTimeOffset());
        Assert.Equal(sent.ExpirationTime, document.RootElement.GetProperty("expirationTime").GetDateTimeOffset());
        Assert.InRange(document.RootElement.GetProperty("nextVisibleTime").GetDateTimeOffset(), sent.InsertionTime.AddMinutes(9), sent.InsertionTime.AddMinutes(11)); // the 10-minute receive lease
        Assert.NotEqual(sent.PopReceipt, document.RootElement.GetProperty("popReceipt").GetString()); // the receive's, not the send's
        Assert.NotEqual(sent.MessageId, document.RootElement.GetProperty("popReceipt").GetString());
        Assert.False(string.IsNullOrEmpty(document.RootElement.GetProperty("popReceipt").GetString()));

        var poisoned = await Wait.ForAsync(() => ReceiveOneAsync(poison), Deadline, "the failing message in the poison queue");
        Assert.Equal("fail please", poisoned);
        // The host wrote the line before it moved the message, but this process reads its output on its own: wait for it.
        await host.WaitForLineAsync(l => l.Contains($"Fixture queue message {failing.MessageId} dequeue 3", StringComparison.Ordinal), Deadline);
        Assert.DoesNotContain(host.Output, l => l.Contains($"Fixture queue message {failing.MessageId} dequeue 4", StringComparison.Ordinal));
        Assert.Single(host.Output, l => l.Contains($"Fixture queue message {sent.MessageId} dequeue", StringComparison.Ordinal));
        // The real host's words for the move (QueueProcessor.CopyMessageToPoisonQueueAsync), which the poison alert reads.
        await Wait.ForAsync(() => Task.FromResult(host.Output.FirstOrDefault(l => l.Contains($"Host.Triggers.Queue: Message has reached MaxDequeueCount of 3. Moving message to queue '{queueName}-poison'.", StringComparison.Ordinal))), Deadline, "the poison move logged in the real host's words");
        // Like the real host, the local host copies a message to the poison queue, then deletes it from its own queue.
        await Wait.ForAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0 ? "empty" : null, Deadline, "the failing message deleted from its queue");
        Assert.Null(await ReceiveOneAsync(output));
    }

    [Fact]
    public async Task A_message_already_over_the_dequeue_limit_goes_straight_to_poison()
    {
        var queueName = Storage.UniqueQueueName("overdue");
        var queue = Storage.Queue(queueName);
        await queue.CreateAsync();
        var message = (await queue.SendMessageAsync("seen too often")).Value;
        for (var i = 0; i < 3; i++)
        {
            var received = (await queue.ReceiveMessageAsync()).Value;
            Assert.NotNull(received);
            await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        await using var host = await HostProcess.StartReadyAsync(new Dictionary<string, string> { ["FIXTURE_QUEUE"] = queueName });

        var poisoned = await Wait.ForAsync(() => ReceiveOneAsync(Storage.Queue(queueName + "-poison")), Deadline, "the poison message");
        Assert.Equal("seen too often", poisoned);
        await Wait.ForAsync(() => Task.FromResult(host.Output.FirstOrDefault(l => l.Contains($"Message has reached MaxDequeueCount of 3. Moving message to queue '{queueName}-poison'.", StringComparison.Ordinal))), Deadline, "the poison move logged in the real host's words");
        Assert.DoesNotContain(host.Output, l => l.Contains($"Fixture queue message {message.MessageId}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_that_is_not_base64_goes_to_poison_as_it_was_with_the_real_hosts_poison_warning()
    {
        // The real host's client handles a decoding failure by moving the message with a non-encoding poison client
        // through QueueProcessor.HandlePoisonMessageAsync (QueuesExtensionConfigProvider / QueueServiceClientProvider
        // CreateMessageDecodingFailedHandler), whose CopyMessageToPoisonQueueAsync logs the same warning as a move at
        // maxDequeueCount: the poison alert (infra/modules/alerts.bicep) counts this move too.
        var queueName = Storage.UniqueQueueName("undecodable");
        var raw = new QueueClient(Storage.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await raw.CreateAsync();
        var sent = (await raw.SendMessageAsync("plain text, not base64!")).Value;
        await using var host = await HostProcess.StartReadyAsync(new Dictionary<string, string> { ["FIXTURE_QUEUE"] = queueName });

        var rawPoison = new QueueClient(Storage.ConnectionString, queueName + "-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var poisoned = await Wait.ForAsync(() => ReceiveOneAsync(rawPoison), Deadline, "the undecodable message in the poison queue");
        Assert.Equal("plain text, not base64!", poisoned);
        // Moved, not copied: QueueProcessor.HandlePoisonMessageAsync deletes it from its queue after the copy.
        await Wait.ForAsync(async () => (await raw.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0 ? "empty" : null, Deadline, "the undecodable message deleted from its queue");
        await Wait.ForAsync(() => Task.FromResult(host.Output.FirstOrDefault(l => l.Contains($"Host.Triggers.Queue: Message has reached MaxDequeueCount of 3. Moving message to queue '{queueName}-poison'.", StringComparison.Ordinal))), Deadline, "the poison move logged in the real host's words");
        Assert.DoesNotContain(host.Output, l => l.Contains($"Fixture queue message {sent.MessageId}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_over_the_dequeue_limit_on_a_queue_without_poison_queue_is_left_invisible_and_not_run()
    {
        // A queue whose name ends in -poison has no poison queue of its own (QueueListenerFactory.CreatePoisonQueueReference);
        // QueueProcessor.BeginProcessingMessageAsync still refuses a message over maxDequeueCount: HandlePoisonMessageAsync
        // does nothing without a poison queue and the function is not invoked, so the message stays invisible for the
        // rest of its 10-minute receive lease.
        var queueName = Storage.UniqueQueueName("overdue") + "-poison";
        var queue = Storage.Queue(queueName);
        await queue.CreateAsync();
        var message = (await queue.SendMessageAsync("seen too often")).Value;
        for (var i = 0; i < 3; i++)
        {
            var received = (await queue.ReceiveMessageAsync()).Value;
            Assert.Equal(message.MessageId, received.MessageId);
            await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        var fresh = (await queue.SendMessageAsync("first delivery")).Value;

        await using var host = await HostProcess.StartReadyAsync(new Dictionary<string, string> { ["FIXTURE_QUEUE"] = queueName });

        // The listener receives both in one batch: it runs the fresh one and leaves the overdue one alone.
        await host.WaitForLineAsync(l => l.Contains($"Fixture queue message {fresh.MessageId}", StringComparison.Ordinal), Deadline);
        await Wait.ForAsync(async () => (await queue.PeekMessagesAsync(32)).Value.Length == 0 ? "received" : null, Deadline, "the overdue message received by the host");
        await Wait.ForAsync(async () => await queue.IsGoneAsync(fresh.MessageId) ? "deleted" : null, Deadline, "the fresh message deleted after its run");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(host.Output, l => l.Contains($"Fixture queue message {message.MessageId}", StringComparison.Ordinal));
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount); // still there, invisible
    }

    [Fact]
    public async Task A_failed_message_on_a_queue_without_poison_queue_stays_invisible_instead_of_retrying_at_once()
    {
        // QueueProcessor.CompleteProcessingMessageAsync: without a poison queue a failed message is not released
        // ("leave the message invisible when processing fails to prevent a fast infinite loop").
        var queueName = Storage.UniqueQueueName("failing") + "-poison";
        var queue = Storage.Queue(queueName);
        await queue.CreateAsync();
        await using var host = await HostProcess.StartReadyAsync(new Dictionary<string, string> { ["FIXTURE_QUEUE"] = queueName });

        var sent = (await queue.SendMessageAsync("fail here")).Value;
        await host.WaitForLineAsync(l => l.Contains($"Executed 'Functions.Consume' (Failed", StringComparison.Ordinal), Deadline);
        await Task.Delay(TimeSpan.FromSeconds(3)); // the fixture's visibilityTimeout is 0: a released message would be back at once

        Assert.Single(host.Output, l => l.Contains($"Fixture queue message {sent.MessageId} dequeue", StringComparison.Ordinal));
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_host_stopping_mid_invocation_waits_for_the_function_and_completes_its_message_by_the_result()
    {
        // The real host cancels the function's token on stop (InvocationCancel) but awaits the worker's
        // InvocationResponse (WorkerFunctionInvoker awaits ResultSource; GrpcWorkerChannel only sends InvocationCancel),
        // then deletes the message on success (QueueListener.ProcessMessageAsync, QueueProcessor.CompleteProcessingMessageAsync).
        var queueName = Storage.UniqueQueueName("stopping");
        var queue = Storage.Queue(queueName);
        var output = Storage.Queue(queueName + "-out");
        await queue.CreateAsync();
        await using var host = await HostProcess.StartReadyAsync(new Dictionary<string, string> { ["FIXTURE_QUEUE"] = queueName });

        var sent = (await queue.SendMessageAsync("slow 3000")).Value;
        await host.WaitForLineAsync(l => l.Contains($"Fixture queue message {sent.MessageId} dequeue 1", StringComparison.Ordinal), Deadline);
        host.SendSigterm();
        Assert.Equal(0, await host.WaitForExitAsync(Deadline));

        var recorded = await ReceiveOneAsync(output);
        Assert.NotNull(recorded);
        Assert.Equal("slow 3000", JsonDocument.Parse(recorded).RootElement.GetProperty("text").GetString());
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_function_cancelled_by_a_stopping_host_leaves_its_message_to_be_delivered_again()
    {
        // A function that stops on its cancellation token ends Cancelled, which the real host counts as a failure
        // (StatusResultExtensions.IsInvocationSuccess: Failure or Cancelled => false): the message is released, not deleted.
        var queueName = Storage.UniqueQueueName("cancelled");
        var queue = Storage.Queue(queueName);
        await queue.CreateAsync();
        await using var host = await HostProcess.StartReadyAsync(new Dictionary<string, string> { ["FIXTURE_QUEUE"] = queueName });

        var sent = (await queue.SendMessageAsync("cancellable 30000")).Value;
        await host.WaitForLineAsync(l => l.Contains($"Fixture queue message {sent.MessageId} dequeue 1", StringComparison.Ordinal), Deadline);
        host.SendSigterm();
        Assert.Equal(0, await host.WaitForExitAsync(Deadline));

        Assert.Equal(sent.MessageId, (await queue.PeekMessageAsync()).Value?.MessageId);
        Assert.Null(await ReceiveOneAsync(Storage.Queue(queueName + "-out")));
    }

    [Fact]
    public async Task A_message_received_while_the_worker_restarts_is_processed_on_that_delivery()
    {
        // The real host's WorkerFunctionInvoker.InvokeCore waits while its dispatcher restarts the worker and then invokes
        // on the new one: the delivery that came during the restart is the one processed (dequeue 1).
        var queueName = Storage.UniqueQueueName("restart");
        var queue = Storage.Queue(queueName);
        var output = Storage.Queue(queueName + "-out");
        await queue.CreateAsync();
        await using var host = await HostProcess.StartReadyAsync(new Dictionary<string, string>
        {
            ["FIXTURE_QUEUE"] = queueName,
            ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:10",
            ["FIXTURE_SLOW_RESTART_MARKER"] = Path.Combine(TestPaths.NewTempDirectory(), "started"),
        });

        using (await host.Http.PostAsync("api/crash", null))
        {
        }

        await host.WaitForLineAsync(l => l.Contains("EXITED UNEXPECTEDLY", StringComparison.Ordinal), Deadline);
        var sent = (await queue.SendMessageAsync("during restart")).Value;

        var recorded = await Wait.ForAsync(() => ReceiveOneAsync(output), Deadline, "the message processed after the restart");
        using var document = JsonDocument.Parse(recorded);
        Assert.Equal(sent.MessageId, document.RootElement.GetProperty("id").GetString());
        Assert.Equal(1, document.RootElement.GetProperty("dequeueCount").GetInt64());
    }

    [Fact]
    public async Task A_message_failing_on_its_last_allowed_delivery_goes_to_poison_at_once()
    {
        // QueueProcessor.CompleteProcessingMessageAsync: a failed message whose DequeueCount has reached maxDequeueCount is
        // moved to the poison queue right away, not released for one more (refused) delivery after visibilityTimeout.
        var queueName = Storage.UniqueQueueName("lastdelivery");
        var queue = Storage.Queue(queueName);
        await queue.CreateAsync();
        await using var host = await HostProcess.StartReadyAsync(new Dictionary<string, string>
        {
            ["FIXTURE_QUEUE"] = queueName,
            ["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = "1",
            ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:10:00",
        });

        var sent = (await queue.SendMessageAsync("fail once")).Value;

        Assert.Equal("fail once", await Wait.ForAsync(() => ReceiveOneAsync(Storage.Queue(queueName + "-poison")), Deadline, "the message in the poison queue"));
        await host.WaitForLineAsync(l => l.Contains($"Fixture queue message {sent.MessageId} dequeue 1", StringComparison.Ordinal), Deadline); // read after the poison queue's answer, as above
        Assert.Single(host.Output, l => l.Contains($"Fixture queue message {sent.MessageId} dequeue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_batch_of_batchSize_runs_at_once_and_the_next_is_fetched_when_in_flight_work_drops_to_newBatchThreshold()
    {
        // WebJobs' QueueListener: one receive asks for batchSize messages (the fixture's host.json: 8) and starts them
        // all; the next receive waits until the messages still running are down to newBatchThreshold (4)
        // (ExecuteAsync, WaitForNewBatchThreshold). Four short and four long messages fill the first batch; the four
        // after them start once the short ones are done, while the long ones still run.
        var queueName = Storage.UniqueQueueName("batch");
        var queue = Storage.Queue(queueName);
        await queue.CreateAsync();
        foreach (var text in Enumerable.Repeat("slow 2000", 4).Concat(Enumerable.Repeat("slow 12000", 4)).Concat(Enumerable.Repeat("slow 1", 4)))
        {
            await queue.SendMessageAsync(text);
        }

        await using var host = await HostProcess.StartReadyAsync(new Dictionary<string, string> { ["FIXTURE_QUEUE"] = queueName });

        await Wait.UntilAsync(() => host.Output.Count(l => l.Contains("Executed 'Functions.Consume' (Succeeded", StringComparison.Ordinal)) == 12, Deadline, "twelve messages processed");
        // The host logs Executing before it sends the invocation and Executed before it frees the message's slot.
        var events = host.Output
            .Where(l => l.Contains("Executing 'Functions.Consume'", StringComparison.Ordinal) || l.Contains("Executed 'Functions.Consume'", StringComparison.Ordinal))
            .Select(l => l.Contains("Executing", StringComparison.Ordinal) ? "start" : "end")
            .ToArray();
        Assert.Equal(Enumerable.Repeat("start", 8), events.Take(8));
        var ninthStart = events.Select((e, i) => (e, i)).Where(x => x.e == "start").ElementAt(8).i;
        Assert.Equal(4, events.Take(ninthStart).Count(e => e == "end"));
    }

    private static async Task<string?> ReceiveOneAsync(QueueClient queue)
    {
        if (!(await queue.ExistsAsync()).Value)
        {
            return null;
        }

        var message = (await queue.ReceiveMessageAsync()).Value;
        if (message is null)
        {
            return null;
        }

        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        return message.Body.ToString();
    }
}
