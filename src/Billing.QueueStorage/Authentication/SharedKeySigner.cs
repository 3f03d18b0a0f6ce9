using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Billing.QueueStorage.Authentication;

/// <summary>
/// The storage "SharedKey" scheme for the Queue service: an HMAC-SHA256, keyed with the account key, over the
/// verb, the standard headers, the canonicalized x-ms-* headers and the canonicalized resource.
/// </summary>
internal sealed class SharedKeySigner : IRequestAuthorizer
{
    public const string Scheme = "SharedKey";

    private readonly string _accountName;
    private readonly byte[] _accountKey;

    public SharedKeySigner(string accountName, byte[] accountKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountName);
        ArgumentNullException.ThrowIfNull(accountKey);
        _accountName = accountName;
        _accountKey = (byte[])accountKey.Clone();
    }

    public ValueTask AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var signature = Convert.ToBase64String(HMACSHA256.HashData(_accountKey, Encoding.UTF8.GetBytes(BuildStringToSign(request))));
        request.Headers.Authorization = new AuthenticationHeaderValue(Scheme, $"{_accountName}:{signature}");
        return ValueTask.CompletedTask;
    }

    public string BuildStringToSign(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var contentLength = request.Content?.Headers.ContentLength;
        var builder = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(ContentHeader(request, "Content-Encoding")).Append('\n')
            .Append(ContentHeader(request, "Content-Language")).Append('\n')
            // Since version 2015-02-21 a zero length is signed as the empty string.
            .Append(contentLength is null or 0 ? string.Empty : contentLength.Value.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(ContentHeader(request, "Content-MD5")).Append('\n')
            .Append(request.Content?.Headers.ContentType?.ToString() ?? string.Empty).Append('\n')
            // Date stays empty: x-ms-date is always sent and signed among the canonicalized headers.
            .Append(RequestHeader(request, "Date")).Append('\n')
            .Append(RequestHeader(request, "If-Modified-Since")).Append('\n')
            .Append(RequestHeader(request, "If-Match")).Append('\n')
            .Append(RequestHeader(request, "If-None-Match")).Append('\n')
            .Append(RequestHeader(request, "If-Unmodified-Since")).Append('\n')
            .Append(RequestHeader(request, "Range")).Append('\n');
        AppendCanonicalizedHeaders(builder, request);
        AppendCanonicalizedResource(builder, request);
        return builder.ToString();
    }

    private static void AppendCanonicalizedHeaders(StringBuilder builder, HttpRequestMessage request)
    {
        var headers = request.Headers
            .Where(header => header.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(header => (Name: header.Key.ToLowerInvariant(), Value: string.Join(',', header.Value.Select(value => value.Trim()))))
            .OrderBy(header => header.Name, StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }
    }

    private void AppendCanonicalizedResource(StringBuilder builder, HttpRequestMessage request)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI to sign.");
        builder.Append('/').Append(_accountName).Append(uri.AbsolutePath);

        var parameters = uri.Query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(parts => (Name: Decode(parts[0]).ToLowerInvariant(), Value: parts.Length > 1 ? Decode(parts[1]) : string.Empty))
            .GroupBy(parameter => parameter.Name, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            var values = parameter.Select(p => p.Value).Order(StringComparer.Ordinal);
            builder.Append('\n').Append(parameter.Key).Append(':').AppendJoin(',', values);
        }
    }

    private static string Decode(string component) => Uri.UnescapeDataString(component.Replace('+', ' '));

    private static string ContentHeader(HttpRequestMessage request, string name) =>
        request.Content is not null && request.Content.Headers.TryGetValues(name, out var values) ? string.Join(',', values) : string.Empty;

    private static string RequestHeader(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? string.Join(',', values) : string.Empty;
}
