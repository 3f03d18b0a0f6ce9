using System.Net.Http.Headers;
using Billing.QueueStorage.Authentication;
using Billing.TestSupport;

namespace Billing.QueueStorage.Tests.Authentication;

public sealed class SharedKeySignerTests
{
    private static readonly SharedKeySigner Signer = new("devstoreaccount1", Convert.FromBase64String(LocalEmulators.AzuriteAccountKey));

    [Fact]
    public void String_to_sign_for_an_update_has_empty_standard_headers_sorted_x_ms_headers_and_decoded_sorted_query()
    {
        using var request = UpdateRequest();

        var stringToSign = Signer.BuildStringToSign(request);

        Assert.Equal(
            "PUT\n" + string.Concat(Enumerable.Repeat("\n", 11)) +
            "x-ms-client-request-id:11111111-2222-3333-4444-555555555555\n" +
            "x-ms-date:Sat, 21 Nov 2026 14:28:53 GMT\n" +
            "x-ms-version:2025-11-05\n" +
            "/devstoreaccount1/devstoreaccount1/orders/messages/0f5c9a4e\n" +
            "popreceipt:AgAAAA+/x==\n" +
            "visibilitytimeout:30",
            stringToSign);
    }

    [Fact]
    public async Task Authorization_header_is_the_known_HMAC_SHA256_of_the_string_to_sign()
    {
        using var request = UpdateRequest();

        await Signer.AuthorizeAsync(request, CancellationToken.None);

        // Computed independently (Python hmac/hashlib) over the canonical string of the previous test.
        Assert.Equal("SharedKey devstoreaccount1:WXho07h0ViR220mypKBH9YzwFCcjxRmaoOyBHovrPe8=", request.Headers.Authorization?.ToString());
    }

    [Fact]
    public void String_to_sign_for_a_put_message_carries_content_length_and_type_and_lowercases_query_names()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://acme.queue.core.windows.net/orders/messages?VisibilityTimeout=5&MessageTTL=-1");
        request.Headers.TryAddWithoutValidation("X-MS-Version", "2025-11-05");
        request.Headers.TryAddWithoutValidation("x-ms-date", "Sat, 21 Nov 2026 14:28:53 GMT");
        request.Content = new ByteArrayContent(new byte[42]);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/xml") { CharSet = "utf-8" };
        var signer = new SharedKeySigner("acme", [1, 2, 3]);

        var stringToSign = signer.BuildStringToSign(request);

        Assert.Equal(
            "POST\n\n\n42\n\napplication/xml; charset=utf-8\n\n\n\n\n\n\n" +
            "x-ms-date:Sat, 21 Nov 2026 14:28:53 GMT\n" +
            "x-ms-version:2025-11-05\n" +
            "/acme/orders/messages\n" +
            "messagettl:-1\n" +
            "visibilitytimeout:5",
            stringToSign);
    }

    private static HttpRequestMessage UpdateRequest()
    {
        var request = new HttpRequestMessage(
            HttpMethod.Put,
            "http://127.0.0.1:10001/devstoreaccount1/orders/messages/0f5c9a4e?visibilitytimeout=30&popreceipt=AgAAAA%2B%2Fx%3D%3D");
        request.Headers.TryAddWithoutValidation("x-ms-version", "2025-11-05");
        request.Headers.TryAddWithoutValidation("x-ms-date", "Sat, 21 Nov 2026 14:28:53 GMT");
        request.Headers.TryAddWithoutValidation("x-ms-client-request-id", "11111111-2222-3333-4444-555555555555");
        request.Content = new ByteArrayContent([]);
        return request;
    }
}
