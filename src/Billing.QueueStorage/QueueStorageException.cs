using System.Net;

namespace Billing.QueueStorage;

/// <summary>
/// The queue service refused a request (after any retries). Carries the HTTP status, the storage error code and
/// the service's request id; never the account key, a token or a signature.
/// </summary>
public sealed class QueueStorageException : Exception
{
    public QueueStorageException()
    {
    }

    public QueueStorageException(string message)
        : base(message)
    {
    }

    public QueueStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public QueueStorageException(string message, HttpStatusCode status, string? errorCode, string? requestId)
        : base(message)
    {
        Status = status;
        ErrorCode = errorCode;
        RequestId = requestId;
    }

    /// <summary>HTTP status of the failed response.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>Storage error code, e.g. <see cref="QueueStorageErrorCodes.QueueNotFound"/>; null when the service sent none.</summary>
    public string? ErrorCode { get; }

    /// <summary>The service's x-ms-request-id, for support requests and log correlation.</summary>
    public string? RequestId { get; }
}
