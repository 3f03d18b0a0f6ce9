using Azure.Storage.Queues;

namespace Billing.FunctionsHost.Tests.Infrastructure;

/// <summary>Azurite from BILLING_TEST_STORAGE_CONNECTION (scripts/test.sh starts it and sets the variable).</summary>
internal static class Storage
{
    public const string Variable = "BILLING_TEST_STORAGE_CONNECTION";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static string UniqueQueueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];

    /// <summary>A client like the app's producers use: base64, as the queue trigger expects by default.</summary>
    public static QueueClient Queue(string name) =>
        new(ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
}

/// <summary>A fact that needs Azurite: skipped, saying why, when BILLING_TEST_STORAGE_CONNECTION is unset.</summary>
internal sealed class StorageFactAttribute : FactAttribute
{
    public StorageFactAttribute()
    {
        if (Storage.ConnectionString is null)
        {
            Skip = $"{Storage.Variable} is not set: run scripts/test.sh, or start Azurite and set it.";
        }
    }
}
