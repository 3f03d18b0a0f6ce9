namespace Billing.QueueStorage;

/// <summary>Storage error codes (x-ms-error-code) callers commonly branch on.</summary>
public static class QueueStorageErrorCodes
{
    public const string QueueNotFound = "QueueNotFound";
    public const string QueueAlreadyExists = "QueueAlreadyExists";
    public const string QueueBeingDeleted = "QueueBeingDeleted";
    public const string MessageNotFound = "MessageNotFound";
    public const string PopReceiptMismatch = "PopReceiptMismatch";
    public const string AuthenticationFailed = "AuthenticationFailed";
}
