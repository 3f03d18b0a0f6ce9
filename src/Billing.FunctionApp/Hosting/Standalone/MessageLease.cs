using Billing.QueueStorage;

namespace Billing.FunctionApp.Hosting.Standalone;

/// <summary>Keeps a received message invisible while its function runs by renewing its visibility at half-time.</summary>
internal sealed class MessageLease : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;
    private readonly QueueClient _queue;
    private readonly string _messageId;
    private readonly TimeSpan _lease;
    private readonly TimeProvider _time;

    public MessageLease(QueueClient queue, ReceivedMessage message, TimeSpan lease, TimeProvider time)
    {
        _queue = queue;
        _messageId = message.MessageId;
        _lease = lease;
        _time = time;
        PopReceipt = message.PopReceipt;
        _renewal = RenewAsync(_stop.Token);
    }

    /// <summary>The current pop receipt (each renewal issues a new one).</summary>
    public string PopReceipt { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _renewal.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(_lease / 2, _time, cancellationToken).ConfigureAwait(false);
            var updated = await _queue.UpdateVisibilityAsync(_messageId, PopReceipt, _lease, cancellationToken).ConfigureAwait(false);
            PopReceipt = updated.PopReceipt;
        }
    }
}
