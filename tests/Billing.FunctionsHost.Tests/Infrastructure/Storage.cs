using Azure.Storage.Queues;
using Billing.TestSupport;

namespace Billing.FunctionsHost.Tests.Infrastructure;

/// <summary>
/// Azurite from BILLING_TEST_STORAGE_CONNECTION (scripts/test.sh starts it and sets the variable), or one started for
/// this process from node_modules by <see cref="LocalEmulators"/> (a run from an IDE): never skipped, a missing Azurite fails.
/// </summary>
internal static class Storage
{
    public static string ConnectionString => LocalEmulators.Storage;

    public static string UniqueQueueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];

    /// <summary>A client like the app's producers use: base64, as the queue trigger expects by default.</summary>
    public static QueueClient Queue(string name) =>
        new(ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
}
