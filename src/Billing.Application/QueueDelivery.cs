namespace Billing.Application;

/// <summary>
/// One delivery of a queue message as a use case sees it. <see cref="IsRetry"/>: an earlier attempt at the same work
/// began, so a write it made may lack its write-behind copy for the operators' views, which this attempt writes again
/// (the one extra write happens only then). <see cref="IsLast"/>: the host gives up after this delivery, so a copy that
/// cannot be written is logged at error level and the work acknowledged, instead of thrown into the poison queue.
/// </summary>
public sealed record QueueDelivery(bool IsRetry, bool IsLast)
{
    /// <summary>A first attempt that the host will deliver again if it fails.</summary>
    public static readonly QueueDelivery First = new(IsRetry: false, IsLast: false);

    /// <summary>
    /// Runs <paramref name="write"/>, whose copy for the operators' views may fail after the write itself is stored
    /// (<see cref="OperatorCopyNotWrittenException"/>): thrown, so the delivery fails and the next one writes the copy
    /// again, except on the last delivery, where <paramref name="givenUp"/> logs it and the work goes on. True when it
    /// was given up.
    /// </summary>
    public async Task<bool> KeepCopyAsync(Func<Task> write, Action<OperatorCopyNotWrittenException> givenUp)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(givenUp);
        try
        {
            await write().ConfigureAwait(false);
            return false;
        }
        catch (OperatorCopyNotWrittenException exception) when (IsLast)
        {
            givenUp(exception);
            return true;
        }
    }
}
