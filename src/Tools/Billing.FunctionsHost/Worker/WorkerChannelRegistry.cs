using System.Collections.Concurrent;

namespace Billing.FunctionsHost.Worker;

/// <summary>Channels waiting for, or holding, a worker's EventStream, by worker id.</summary>
internal sealed class WorkerChannelRegistry
{
    private readonly ConcurrentDictionary<string, WorkerChannel> channels = new(StringComparer.Ordinal);

    public void Register(WorkerChannel channel) => channels[channel.WorkerId] = channel;

    public void Unregister(WorkerChannel channel) => channels.TryRemove(channel.WorkerId, out _);

    public WorkerChannel? Find(string workerId) => channels.TryGetValue(workerId, out var channel) ? channel : null;
}
