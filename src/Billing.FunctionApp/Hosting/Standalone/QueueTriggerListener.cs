using Billing.FunctionApp.Functions;
using Billing.FunctionApp.Hosting.FunctionMetadata;
using Billing.QueueStorage;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Hosting.Standalone;

/// <summary>
/// Polls one queue for one queue-triggered function with the Functions host's semantics: batches of
/// <c>batchSize</c>, a new batch when in-flight work falls to <c>newBatchThreshold</c>, the message kept invisible
/// while it runs, deleted on success, made visible again after <c>visibilityTimeout</c> on failure, and moved to
/// <c>&lt;queue&gt;-poison</c> when it has failed <c>maxDequeueCount</c> times. Polling backs off exponentially to
/// <c>maxPollingInterval</c> while the queue is empty.
/// </summary>
public sealed partial class QueueTriggerListener(
    FunctionDefinition function,
    QueueServiceClient queues,
    QueueTriggerSettings settings,
    FunctionInvoker invoker,
    IOptions<StandaloneTriggerOptions> options,
    TimeProvider time,
    ILogger<QueueTriggerListener> logger) : BackgroundService
{
    private static readonly TimeSpan MinimumPollingDelay = TimeSpan.FromMilliseconds(100);

    public const string PoisonSuffix = "-poison";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = queues.GetQueueClient(function.QueueName!);
        var poison = queues.GetQueueClient(function.QueueName + PoisonSuffix);
        await CreateQueuesAsync(queue, poison, stoppingToken).ConfigureAwait(false);
        LogListening(function.Name, queue.Name, settings.BatchSize, settings.MaxDequeueCount);

        var inFlight = new List<Task>();
        var delay = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            inFlight.RemoveAll(t => t.IsCompleted);
            if (inFlight.Count > settings.NewBatchThreshold)
            {
                await Task.WhenAny(inFlight).ConfigureAwait(false);
                continue;
            }

            IReadOnlyList<ReceivedMessage> batch;
            try
            {
                batch = await queue.ReceiveAsync(settings.BatchSize, options.Value.MessageLease, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (exception is QueueStorageException or HttpRequestException or TimeoutException)
            {
                LogPollFailed(exception, queue.Name);
                batch = [];
            }

            foreach (var message in batch)
            {
                inFlight.Add(ProcessAsync(queue, poison, message, stoppingToken));
            }

            delay = batch.Count > 0 ? TimeSpan.Zero : NextDelay(delay);
            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        // Let running invocations finish (or observe cancellation) before the host stops.
        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    private TimeSpan NextDelay(TimeSpan current)
    {
        var next = current == TimeSpan.Zero ? MinimumPollingDelay : current * 2;
        return next > settings.MaxPollingInterval ? settings.MaxPollingInterval : next;
    }

    private async Task ProcessAsync(QueueClient queue, QueueClient poison, ReceivedMessage message, CancellationToken stoppingToken)
    {
        try
        {
            if (message.DequeueCount > settings.MaxDequeueCount)
            {
                // A previous attempt died without reporting (a crash): it has used up its attempts.
                await MoveToPoisonAsync(queue, poison, message, message.PopReceipt, stoppingToken).ConfigureAwait(false);
                return;
            }

            var lease = new MessageLease(queue, message, options.Value.MessageLease, time);
            bool succeeded;
            await using (lease.ConfigureAwait(false))
            {
                try
                {
                    var trigger = new QueueTrigger(message.MessageText, message.MessageId, message.DequeueCount, message.InsertedOn);
                    await invoker.InvokeQueueAsync(function.Name, trigger, Guid.NewGuid().ToString("N"), stoppingToken).ConfigureAwait(false);
                    succeeded = true;
                }
                catch (Exception) when (!stoppingToken.IsCancellationRequested)
                {
                    succeeded = false; // logged by the invoker
                }
            }

            if (succeeded)
            {
                await queue.DeleteMessageAsync(message.MessageId, lease.PopReceipt, stoppingToken).ConfigureAwait(false);
            }
            else if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                await MoveToPoisonAsync(queue, poison, message, lease.PopReceipt, stoppingToken).ConfigureAwait(false);
            }
            else
            {
                await queue.UpdateVisibilityAsync(message.MessageId, lease.PopReceipt, settings.VisibilityTimeout, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the message becomes visible again when its lease runs out.
        }
        catch (Exception exception) when (exception is QueueStorageException or HttpRequestException or TimeoutException)
        {
            // Settling the message failed: it reappears after its lease and is tried again.
            LogSettleFailed(exception, message.MessageId, queue.Name);
        }
    }

    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, ReceivedMessage message, string popReceipt, CancellationToken cancellationToken)
    {
        await poison.SendAsync(message.MessageText, cancellationToken: cancellationToken).ConfigureAwait(false);
        await queue.DeleteMessageAsync(message.MessageId, popReceipt, cancellationToken).ConfigureAwait(false);
        LogPoisoned(message.MessageId, queue.Name, message.DequeueCount, poison.Name);
    }

    private async Task CreateQueuesAsync(QueueClient queue, QueueClient poison, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await queue.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
                await poison.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception exception) when (exception is QueueStorageException or HttpRequestException or TimeoutException)
            {
                LogPollFailed(exception, queue.Name);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxPollingInterval.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Standalone trigger: {FunctionName} listens on queue {QueueName} (batch {BatchSize}, max dequeue count {MaxDequeueCount})")]
    private partial void LogListening(string functionName, string queueName, int batchSize, int maxDequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling queue {QueueName} failed; retrying")]
    private partial void LogPollFailed(Exception exception, string queueName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not settle message {MessageId} on {QueueName}; it will be retried when its lease ends")]
    private partial void LogSettleFailed(Exception exception, string messageId, string queueName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} on {QueueName} failed {DequeueCount} times; moved to {PoisonQueueName}")]
    private partial void LogPoisoned(string messageId, string queueName, long dequeueCount, string poisonQueueName);
}
