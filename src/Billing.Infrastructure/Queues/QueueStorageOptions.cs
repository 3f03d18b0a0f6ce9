namespace Billing.Infrastructure.Queues;

/// <summary>
/// The Functions-style storage setting, read exactly as the Functions host reads it: <c>AzureWebJobsStorage</c> as a
/// connection string (Azurite, or an account's keys), or identity-based <c>AzureWebJobsStorage__queueServiceUri</c>
/// (or <c>AzureWebJobsStorage__accountName</c>) with an optional <c>AzureWebJobsStorage__clientId</c> for a
/// user-assigned managed identity. <see cref="ToString"/> never shows the connection string.
/// </summary>
public sealed class QueueStorageOptions
{
    public const string ConnectionName = "AzureWebJobsStorage";

    /// <summary>The value of <c>AzureWebJobsStorage</c> itself.</summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>AzureWebJobsStorage__queueServiceUri</c>: the account's queue endpoint (https).</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary><c>AzureWebJobsStorage__accountName</c>: stands for https://{account}.queue.core.windows.net.</summary>
    public string? AccountName { get; set; }

    /// <summary><c>AzureWebJobsStorage__clientId</c>: a user-assigned managed identity; the default chain when absent.</summary>
    public string? ClientId { get; set; }

    /// <summary>The endpoint used with a managed identity: <see cref="QueueServiceUri"/>, or the one <see cref="AccountName"/> implies.</summary>
    public Uri? IdentityServiceUri =>
        QueueServiceUri ?? (string.IsNullOrWhiteSpace(AccountName) ? null : new Uri($"https://{AccountName}.queue.core.windows.net", UriKind.Absolute));

    public override string ToString() =>
        !string.IsNullOrWhiteSpace(ConnectionString)
            ? "QueueStorageOptions { connection string }"
            : $"QueueStorageOptions {{ {IdentityServiceUri}, {(string.IsNullOrWhiteSpace(ClientId) ? "default credential" : "user-assigned identity")} }}";
}
