using System.Net;
using Billing.QueueStorage.Tests.Support;

namespace Billing.QueueStorage.Tests.Protocol;

/// <summary>What goes on the wire for each operation, and how answers are read (Azurite checks the same end to end).</summary>
public sealed class RequestShapeTests
{
    private const string SentXml =
        """<?xml version="1.0" encoding="utf-8"?><QueueMessagesList><QueueMessage><MessageId>5974b586-0df3-4e2d-ad0c-18e3892bfca2</MessageId><InsertionTime>Sat, 21 Nov 2026 14:28:53 GMT</InsertionTime><ExpirationTime>Fri, 31 Dec 9999 23:59:59 GMT</ExpirationTime><PopReceipt>AgAAAAMAAAAAAAAA</PopReceipt><TimeNextVisible>Sat, 21 Nov 2026 14:29:03 GMT</TimeNextVisible></QueueMessage></QueueMessagesList>""";

    [Fact]
    public async Task Send_posts_base64_utf8_xml_with_visibility_and_never_expiring_ttl()
    {
        var handler = new StubHttpHandler((_, _) => Task.FromResult(StubHttpHandler.Response(HttpStatusCode.Created, SentXml)));

        var sent = await StubbedQueue.Create(handler).SendAsync("Grüße", TimeSpan.FromSeconds(10), QueueClient.NeverExpires);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://127.0.0.1:10001/devstoreaccount1/orders/messages?visibilitytimeout=10&messagettl=-1", request.Uri.ToString());
        Assert.Equal("<QueueMessage><MessageText>R3LDvMOfZQ==</MessageText></QueueMessage>", request.Body);
        Assert.Equal("application/xml; charset=utf-8", request.ContentType);
        Assert.Equal("2025-11-05", request.Header("x-ms-version"));
        Assert.Equal("Sat, 21 Nov 2026 14:28:53 GMT", request.Header("x-ms-date"));
        Assert.StartsWith("SharedKey devstoreaccount1:", request.Authorization, StringComparison.Ordinal);
        Assert.Equal(
            new SentMessage(
                "5974b586-0df3-4e2d-ad0c-18e3892bfca2",
                "AgAAAAMAAAAAAAAA",
                new DateTimeOffset(2026, 11, 21, 14, 28, 53, TimeSpan.Zero),
                new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero),
                new DateTimeOffset(2026, 11, 21, 14, 29, 3, TimeSpan.Zero)),
            sent);
    }

    [Fact]
    public async Task Receive_asks_for_count_and_visibility_and_decodes_each_message()
    {
        const string xml =
            """<QueueMessagesList><QueueMessage><MessageId>m1</MessageId><InsertionTime>Sat, 21 Nov 2026 14:28:53 GMT</InsertionTime><ExpirationTime>Sat, 28 Nov 2026 14:28:53 GMT</ExpirationTime><PopReceipt>p1</PopReceipt><TimeNextVisible>Sat, 21 Nov 2026 14:29:23 GMT</TimeNextVisible><DequeueCount>3</DequeueCount><MessageText>eyJhIjoxfQ==</MessageText></QueueMessage><QueueMessage><MessageId>m2</MessageId><InsertionTime>Sat, 21 Nov 2026 14:28:54 GMT</InsertionTime><ExpirationTime>Sat, 28 Nov 2026 14:28:54 GMT</ExpirationTime><PopReceipt>p2</PopReceipt><TimeNextVisible>Sat, 21 Nov 2026 14:29:23 GMT</TimeNextVisible><DequeueCount>1</DequeueCount><MessageText>{"raw":true}</MessageText></QueueMessage></QueueMessagesList>""";
        var handler = new StubHttpHandler((_, _) => Task.FromResult(StubHttpHandler.Response(HttpStatusCode.OK, xml)));

        var messages = await StubbedQueue.Create(handler).ReceiveAsync(32, TimeSpan.FromSeconds(30));

        Assert.Equal("http://127.0.0.1:10001/devstoreaccount1/orders/messages?numofmessages=32&visibilitytimeout=30", Assert.Single(handler.Requests).Uri.ToString());
        Assert.Equal(["m1", "m2"], messages.Select(m => m.MessageId));
        Assert.Equal("""{"a":1}""", messages[0].MessageText);
        Assert.Equal("""{"raw":true}""", messages[1].MessageText);
        Assert.Equal(3, messages[0].DequeueCount);
        Assert.Equal("p2", messages[1].PopReceipt);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 14, 29, 23, TimeSpan.Zero), messages[1].NextVisibleOn);
    }

    [Fact]
    public async Task Update_escapes_the_pop_receipt_and_returns_the_new_one_from_headers()
    {
        var handler = new StubHttpHandler((_, _) => Task.FromResult(StubHttpHandler.Response(
            HttpStatusCode.NoContent,
            xml: null,
            ("x-ms-popreceipt", "new+receipt/=="),
            ("x-ms-time-next-visible", "Sat, 21 Nov 2026 14:29:53 GMT"))));

        var updated = await StubbedQueue.Create(handler).UpdateVisibilityAsync("m1", "old+receipt/==", TimeSpan.FromMinutes(1));

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("/devstoreaccount1/orders/messages/m1?popreceipt=old%2Breceipt%2F%3D%3D&visibilitytimeout=60", request.Uri.PathAndQuery);
        Assert.Equal(new UpdatedMessage("new+receipt/==", new DateTimeOffset(2026, 11, 21, 14, 29, 53, TimeSpan.Zero)), updated);
    }

    [Fact]
    public async Task Approximate_count_reads_the_metadata_header()
    {
        var handler = new StubHttpHandler((_, _) => Task.FromResult(StubHttpHandler.Response(HttpStatusCode.OK, xml: null, ("x-ms-approximate-messages-count", "1234"))));

        var count = await StubbedQueue.Create(handler).GetApproximateMessageCountAsync();

        Assert.Equal(1234, count);
        Assert.Equal("/devstoreaccount1/orders?comp=metadata", Assert.Single(handler.Requests).Uri.PathAndQuery);
    }

    [Fact]
    public async Task Peek_delete_and_clear_use_their_documented_paths()
    {
        var handler = new StubHttpHandler((_, _) => Task.FromResult(StubHttpHandler.Response(HttpStatusCode.OK, "<QueueMessagesList />")));
        var queue = StubbedQueue.Create(handler);

        Assert.Empty(await queue.PeekAsync(5));
        await queue.DeleteMessageAsync("m1", "p1");
        await queue.ClearAsync();
        await queue.DeleteIfExistsAsync();

        Assert.Equal(
            [
                "GET /devstoreaccount1/orders/messages?peekonly=true&numofmessages=5",
                "DELETE /devstoreaccount1/orders/messages/m1?popreceipt=p1",
                "DELETE /devstoreaccount1/orders/messages",
                "DELETE /devstoreaccount1/orders",
            ],
            handler.Requests.Select(r => $"{r.Method} {r.Uri.PathAndQuery}"));
    }
}
