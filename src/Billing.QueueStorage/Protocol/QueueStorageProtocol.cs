namespace Billing.QueueStorage.Protocol;

/// <summary>Fixed facts of the Queue service REST API as this client uses it.</summary>
internal static class QueueStorageProtocol
{
    /// <summary>The one x-ms-version every request sends (accepted by Azure and by Azurite 3.37).</summary>
    public const string ApiVersion = "2025-11-05";

    /// <summary>Largest message the service stores, measured on the Base64-encoded text.</summary>
    public const int MaxEncodedMessageBytes = 64 * 1024;

    public const int MinMessagesPerRequest = 1;
    public const int MaxMessagesPerRequest = 32;

    /// <summary>Upper bound for every visibility timeout or delay.</summary>
    public static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromDays(7);

    /// <summary>The messagettl value meaning "never expires".</summary>
    public const int NeverExpiresTtlSeconds = -1;

    public const string VersionHeader = "x-ms-version";
    public const string DateHeader = "x-ms-date";
    public const string ClientRequestIdHeader = "x-ms-client-request-id";
    public const string RequestIdHeader = "x-ms-request-id";
    public const string ErrorCodeHeader = "x-ms-error-code";
    public const string PopReceiptHeader = "x-ms-popreceipt";
    public const string TimeNextVisibleHeader = "x-ms-time-next-visible";
    public const string ApproximateMessagesCountHeader = "x-ms-approximate-messages-count";
}
