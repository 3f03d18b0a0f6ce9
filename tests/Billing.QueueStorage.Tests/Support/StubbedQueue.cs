using Billing.TestSupport;

namespace Billing.QueueStorage.Tests.Support;

/// <summary>A QueueClient for the Azurite account whose HTTP traffic goes to a stub handler.</summary>
internal static class StubbedQueue
{
    public static readonly DateTimeOffset Now = new(2026, 11, 21, 14, 28, 53, TimeSpan.Zero);

    public static QueueClient Create(StubHttpHandler handler, string queueName = "orders", TimeProvider? clock = null) =>
        QueueServiceClient
            .FromConnectionString(LocalEmulators.AzuriteConnectionString(10001), handler.CreateClient(), clock ?? new ManualTimeProvider(Now))
            .GetQueueClient(queueName);
}
