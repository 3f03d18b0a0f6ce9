namespace Billing.QueueStorage.Authentication;

/// <summary>Adds the Authorization header to a request whose x-ms-* headers are already final.</summary>
internal interface IRequestAuthorizer
{
    ValueTask AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken);
}
