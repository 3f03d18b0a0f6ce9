using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Functions;

namespace Billing.FunctionsHost.Queues;

/// <summary>
/// The queue trigger listener (WebJobs QueueListener semantics): batches of batchSize, a new batch once in-flight
/// work drops to newBatchThreshold, randomized exponential back-off up to maxPollingInterval when idle, visibility
/// renewal while a function runs, delete on success, release with visibilityTimeout or move to the poison queue
/// on failure.
/// </summary>
internal sealed partial class QueueListener : IDisposable
{
    private static readonly TimeSpan Visibility = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MinimumPolling = TimeSpan.FromMilliseconds(100);
    private readonly FunctionDefinition function;
    private readonly QueueOptions options;
    private readonly FunctionInvoker invoker;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly ILogger processorLogger;
    private readonly QueueClient queue;
    private readonly QueueClient? poison;
    private readonly QueueClient? rawPoison;
    private readonly SemaphoreSlim slotFreed = new(0);
    private int inFlight;

    /// <param name="processorLogger">
    /// The real host's <c>Host.Triggers.Queue</c> category (its QueueProcessor's): the poison move is logged there.
    /// </param>
    public QueueListener(FunctionDefinition function, QueueClientFactory factory, HostJsonOptions hostJson, FunctionInvoker invoker, TimeProvider time, ILogger logger, ILogger processorLogger)
    {
        this.function = function;
        this.invoker = invoker;
        this.time = time;
        this.logger = logger;
        this.processorLogger = processorLogger;
        options = hostJson.Queues;
        var usedBy = $"Function '{function.Name}'";
        var connection = function.Trigger.GetString("connection");
        QueueName = factory.ResolveQueueName(function.Trigger.GetString("queueName"), usedBy);
        var triggerOptions = factory.CreateOptions();
        triggerOptions.MessageDecodingFailed += MoveUndecodableAsync;
        queue = factory.Create(connection, QueueName, usedBy, triggerOptions);
        if (PoisonQueueName(QueueName) is { } poisonName)
        {
            poison = factory.Create(connection, poisonName, usedBy);
            rawPoison = factory.Create(connection, poisonName, usedBy, factory.CreateOptions(base64: false));
        }
    }

    public string QueueName { get; }

    public void Dispose() => slotFreed.Dispose();

    internal static string? PoisonQueueName(string queueName) =>
        queueName.EndsWith("-poison", StringComparison.Ordinal) || queueName.Length + "-poison".Length > 63 ? null : queueName + "-poison";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new RandomizedExponentialBackoff(MinimumPolling, options.MaxPollingInterval, Random.Shared);
        var exists = false;
        var reportedMissing = false;
        var tasks = new List<Task>();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!exists && !(exists = await queue.ExistsAsync(cancellationToken).ConfigureAwait(false)))
                {
                    if (!reportedMissing)
                    {
                        reportedMissing = true;
                        LogQueueMissing(logger, QueueName, function.Name);
                    }

                    await Task.Delay(backoff.Next(), time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var messages = (await queue.ReceiveMessagesAsync(options.BatchSize, Visibility, cancellationToken).ConfigureAwait(false)).Value;
                if (messages.Length == 0)
                {
                    await Task.Delay(backoff.Next(), time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                backoff.Reset();
                tasks.RemoveAll(t => t.IsCompleted);
                foreach (var message in messages)
                {
                    Interlocked.Increment(ref inFlight);
                    tasks.Add(ProcessAsync(message, cancellationToken));
                }

                while (Volatile.Read(ref inFlight) > options.NewBatchThreshold)
                {
                    await slotFreed.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (RequestFailedException e)
            {
                exists = e.Status != 404 && exists;
                LogPollFailed(logger, QueueName, e.Status, e.ErrorCode ?? string.Empty);
                await DelayQuietlyAsync(backoff.Next(), cancellationToken).ConfigureAwait(false);
            }
            catch (AggregateException e) when (e.InnerExceptions.All(i => i is RequestFailedException))
            {
                // Azure.Core gives up on an unreachable endpoint with an AggregateException of its retries.
                LogPollFailed(logger, QueueName, 0, "unreachable");
                await DelayQuietlyAsync(options.MaxPollingInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            if (message.DequeueCount > options.MaxDequeueCount)
            {
                // As QueueProcessor.BeginProcessingMessageAsync: never run; without a poison queue (a queue named
                // *-poison, QueueListenerFactory.CreatePoisonQueueReference) left invisible until its receive lease ends.
                if (poison is not null)
                {
                    await MoveToPoisonAsync(message, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
                }

                return;
            }

            var receipt = new PopReceipt(message.PopReceipt);
            using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var renewing = RenewAsync(message, receipt, renewal.Token);
            var outcome = await invoker.InvokeAsync(function, QueueTriggerData.Create(function.Trigger, message, QueueName), cancellationToken).ConfigureAwait(false);
            await renewal.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
            await CompleteAsync(message, receipt.Value, outcome).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down before the invocation started: the message becomes visible again after its timeout.
        }
        catch (RequestFailedException e)
        {
            LogMessageUpdateFailed(logger, message.MessageId, QueueName, e.Status, e.ErrorCode ?? string.Empty);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
            slotFreed.Release();
        }
    }

    private async Task CompleteAsync(QueueMessage message, string popReceipt, InvocationOutcome outcome)
    {
        // Never cancelled: finishing the message's bookkeeping matters even while the host stops.
        if (outcome.Succeeded)
        {
            await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None).ConfigureAwait(false);
        }
        else if (poison is null)
        {
            // A poison queue's own messages stay invisible until their timeout runs out.
        }
        else if (message.DequeueCount >= options.MaxDequeueCount)
        {
            await MoveToPoisonAsync(message, popReceipt, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: options.VisibilityTimeout, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, string popReceipt, CancellationToken cancellationToken)
    {
        // The real host's words, before the copy (QueueProcessor.CopyMessageToPoisonQueueAsync); the poison alert
        // (infra/modules/alerts.bicep) matches them and reads the queue name from them.
        LogReachedMaxDequeueCount(processorLogger, options.MaxDequeueCount, poison!.Name);
        await poison!.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
        await queue.DeleteMessageAsync(message.MessageId, popReceipt, cancellationToken).ConfigureAwait(false);
        LogMovedToPoison(logger, message.MessageId, QueueName, poison.Name, message.DequeueCount);
    }

    private async Task MoveUndecodableAsync(QueueMessageDecodingFailedEventArgs args)
    {
        if (args.ReceivedMessage is not { } message || rawPoison is null)
        {
            return;
        }

        // The real host moves it through the same QueueProcessor.HandlePoisonMessageAsync as a message at maxDequeueCount
        // (CreateMessageDecodingFailedHandler in the Storage extension's QueueServiceClientProvider), so its
        // CopyMessageToPoisonQueueAsync logs the same warning, whatever the dequeue count: the poison alert counts it.
        LogReachedMaxDequeueCount(processorLogger, options.MaxDequeueCount, rawPoison.Name);
        await rawPoison.CreateIfNotExistsAsync(cancellationToken: args.CancellationToken).ConfigureAwait(false);
        await rawPoison.SendMessageAsync(message.Body, cancellationToken: args.CancellationToken).ConfigureAwait(false);
        await args.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, args.CancellationToken).ConfigureAwait(false);
        LogUndecodable(logger, message.MessageId, QueueName);
    }

    private async Task RenewAsync(QueueMessage message, PopReceipt receipt, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Visibility / 2, time, cancellationToken).ConfigureAwait(false);
                var updated = await queue.UpdateMessageAsync(message.MessageId, receipt.Value, visibilityTimeout: Visibility, cancellationToken: cancellationToken).ConfigureAwait(false);
                receipt.Value = updated.Value.PopReceipt;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (RequestFailedException e)
        {
            LogMessageUpdateFailed(logger, message.MessageId, QueueName, e.Status, e.ErrorCode ?? string.Empty);
        }
    }

    private async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class PopReceipt(string value)
    {
        public string Value { get; set; } = value;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue '{Queue}' of function '{Function}' does not exist; waiting for it to be created.")]
    private static partial void LogQueueMissing(ILogger logger, string queue, string function);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling queue '{Queue}' failed ({Status} {ErrorCode}); backing off.")]
    private static partial void LogPollFailed(ILogger logger, string queue, int status, string errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Updating message '{MessageId}' on '{Queue}' failed ({Status} {ErrorCode}).")]
    private static partial void LogMessageUpdateFailed(ILogger logger, string messageId, string queue, int status, string errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message '{MessageId}' from '{Queue}' moved to '{PoisonQueue}' after {DequeueCount} dequeues.")]
    private static partial void LogMovedToPoison(ILogger logger, string messageId, string queue, string poisonQueue, long dequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message has reached MaxDequeueCount of {MaxDequeueCount}. Moving message to queue '{PoisonQueue}'.")]
    private static partial void LogReachedMaxDequeueCount(ILogger logger, int maxDequeueCount, string poisonQueue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message '{MessageId}' from '{Queue}' is not valid base64; moved to the poison queue.")]
    private static partial void LogUndecodable(ILogger logger, string messageId, string queue);
}
