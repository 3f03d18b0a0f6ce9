using System.Net;
using Billing.QueueStorage.Tests.Support;
using Billing.TestSupport;

namespace Billing.QueueStorage.Tests.Protocol;

public sealed class ErrorTests
{
    [Fact]
    public async Task Error_code_comes_from_the_header_and_the_message_from_the_first_line_of_the_xml()
    {
        const string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>MessageNotFound</Code><Message>The specified message does not exist.\nRequestId:abc\nTime:2026-11-21T14:28:53.0000000Z</Message></Error>";
        var handler = new StubHttpHandler((_, _) => Task.FromResult(StubHttpHandler.Response(
            HttpStatusCode.NotFound, xml, ("x-ms-error-code", "MessageNotFound"), ("x-ms-request-id", "req-42"))));

        var error = await Assert.ThrowsAsync<QueueStorageException>(() => StubbedQueue.Create(handler).DeleteMessageAsync("m1", "p1"));

        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Equal(QueueStorageErrorCodes.MessageNotFound, error.ErrorCode);
        Assert.Equal("req-42", error.RequestId);
        Assert.Equal(
            "Delete message on queue 'orders' failed: HTTP 404 (NotFound), error code MessageNotFound: The specified message does not exist. (request id req-42)",
            error.Message);
    }

    [Fact]
    public async Task Error_code_falls_back_to_the_xml_code_element()
    {
        var handler = new StubHttpHandler((_, _) => Task.FromResult(StubHttpHandler.Response(
            HttpStatusCode.BadRequest, "<Error><Code>PopReceiptMismatch</Code><Message>mismatch</Message></Error>")));

        var error = await Assert.ThrowsAsync<QueueStorageException>(() => StubbedQueue.Create(handler).DeleteMessageAsync("m1", "p1"));

        Assert.Equal(QueueStorageErrorCodes.PopReceiptMismatch, error.ErrorCode);
        Assert.Null(error.RequestId);
    }

    [Fact]
    public async Task Authentication_detail_quoting_the_signature_never_reaches_the_exception()
    {
        const string xml = "<Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.</Message><AuthenticationErrorDetail>The MAC signature found in the HTTP request 'SIGNATURE' is not the same as any computed signature.</AuthenticationErrorDetail></Error>";
        var handler = new StubHttpHandler((_, _) => Task.FromResult(StubHttpHandler.Response(HttpStatusCode.Forbidden, xml)));

        var error = await Assert.ThrowsAsync<QueueStorageException>(() => StubbedQueue.Create(handler).ClearAsync());

        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.Contains("Server failed to authenticate the request.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SIGNATURE", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SharedKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(LocalEmulators.AzuriteAccountKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_of_a_missing_queue_is_false_but_other_errors_surface()
    {
        var missing = new StubHttpHandler((_, _) => Task.FromResult(StubHttpHandler.Response(HttpStatusCode.NotFound, xml: null, ("x-ms-error-code", "QueueNotFound"))));
        var forbidden = new StubHttpHandler((_, _) => Task.FromResult(StubHttpHandler.Response(HttpStatusCode.Forbidden, xml: null, ("x-ms-error-code", "AuthorizationFailure"))));

        Assert.False(await StubbedQueue.Create(missing).DeleteIfExistsAsync());
        var error = await Assert.ThrowsAsync<QueueStorageException>(() => StubbedQueue.Create(forbidden).DeleteIfExistsAsync());
        Assert.Equal("AuthorizationFailure", error.ErrorCode);
    }

    [Fact]
    public async Task Create_of_a_queue_that_exists_with_other_metadata_is_false()
    {
        var handler = new StubHttpHandler((_, _) => Task.FromResult(StubHttpHandler.Response(HttpStatusCode.Conflict, xml: null, ("x-ms-error-code", "QueueAlreadyExists"))));

        Assert.False(await StubbedQueue.Create(handler).CreateIfNotExistsAsync());
    }
}
