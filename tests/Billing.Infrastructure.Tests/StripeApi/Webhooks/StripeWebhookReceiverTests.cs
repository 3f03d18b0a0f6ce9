using System.Text;
using Billing.Application;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;
using Billing.Infrastructure.Queues;
using Billing.Infrastructure.StripeApi.Webhooks;
using Billing.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Billing.Infrastructure.Tests.StripeApi.Webhooks;

/// <summary>
/// What the receiver tells the operator about a refused delivery. A signature that matches none of the secrets but was
/// made just now is what Stripe sends when the endpoint's secret is not the configured one (rolled, or another
/// endpoint's or mode's) or something on the way changed the body: every event is refused until someone fixes it, and
/// Stripe gives up after three days. That is logged at Error, which the deployed "errors logged for an operator" alert
/// counts; the other refusals (stale, unsigned, malformed: any client on the internet) stay Warnings.
/// </summary>
public sealed class StripeWebhookReceiverTests
{
    private const string Secret = "whsec_configured";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"evt_1","object":"event","type":"invoice.paid","created":1800000000,"livemode":false,"data":{"object":{}}}""");

    private readonly FakeLogger<StripeWebhookReceiver> logger = new();

    [Fact]
    public async Task A_current_signature_under_another_secret_is_refused_and_logged_as_an_error_for_the_operator()
    {
        var receipt = await Receiver().ReceiveAsync(Body, StripeSigner.Header(Now.AddSeconds(-2), Body, "whsec_rolled_in_the_dashboard"), CancellationToken.None);

        Assert.Equal(WebhookReceiptStatus.Rejected, receipt.Status);
        var line = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Contains("no_matching_signature", line.Message, StringComparison.Ordinal);
        Assert.Contains("signing secret", line.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stale signature under another secret")]
    [InlineData("no header")]
    [InlineData("malformed header")]
    [InlineData("stale signature under the secret")]
    public async Task Other_refusals_are_warnings(string request)
    {
        var header = request switch
        {
            "stale signature under another secret" => StripeSigner.Header(Now.AddHours(-1), Body, "whsec_other"),
            "no header" => null,
            "malformed header" => "t=abc,v1=00",
            _ => StripeSigner.Header(Now.AddHours(-1), Body, Secret),
        };

        var receipt = await Receiver().ReceiveAsync(Body, header, CancellationToken.None);

        Assert.Equal(WebhookReceiptStatus.Rejected, receipt.Status);
        Assert.Equal(LogLevel.Warning, Assert.Single(logger.Collector.GetSnapshot()).Level);
    }

    /// <summary>
    /// A correctly signed body the envelope's JSON reader throws on (JsonException for a body ending after a member name
    /// or with content after the object, InvalidOperationException for an escaped lone surrogate it unescapes) is refused
    /// as malformed (the function answers 400) and nothing is stored or queued (the strict mocks are never called).
    /// </summary>
    [Theory]
    [InlineData("""{"id":"evt_1","object":"event","type":"invoice.paid","created":1800000000,"data":{"object":{}}} x""")]
    [InlineData("{\"id\"")]
    [InlineData("""{"id":"evt_\uD800","object":"event","type":"invoice.paid","created":1800000000,"data":{"object":{}}}""")]
    [InlineData("""{"id":"evt_1","object":"event","type":"customer.created","created":1800000000,"data":{"object":{"id":"cus_\uD800"}}}""")]
    public async Task A_signed_body_the_json_reader_throws_on_is_refused_as_malformed(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);

        var receipt = await Receiver().ReceiveAsync(body, StripeSigner.Header(Now.AddSeconds(-2), body, Secret), CancellationToken.None);

        Assert.Equal((WebhookReceiptStatus.Rejected, "malformed_event"), (receipt.Status, receipt.Code));
        Assert.Equal(LogLevel.Warning, Assert.Single(logger.Collector.GetSnapshot()).Level);
    }

    /// <summary>
    /// An event the store or the queue could not take is answered 503 and Stripe delivers it again (for three days in
    /// live mode): a service that is down, throttling or unreachable heals by that retry, and a lasting outage shows in
    /// the 5xx alert, so it is a warning, as the middleware logs the same failures of every other function. Any other
    /// exception is no outage Stripe's retry mends (a bug, a refusal): that stays an error for the operator.
    /// </summary>
    [Theory]
    [InlineData("store unavailable", LogLevel.Warning)]
    [InlineData("no connection", LogLevel.Warning)]
    [InlineData("bug", LogLevel.Error)]
    public async Task An_event_not_kept_is_answered_unavailable_and_logged_as_an_error_only_when_no_retry_mends_it(string failure, LogLevel expected)
    {
        Exception thrown = failure switch
        {
            "store unavailable" => new ServiceUnavailableException("Cosmos DB refused the request (429); it was not done."),
            "no connection" => new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"),
            _ => new InvalidOperationException("A bug."),
        };
        var store = new Mock<IStripeEventStore>(MockBehavior.Strict);
        store.Setup(s => s.TryAddAsync(It.IsAny<NewStripeEvent>(), It.IsAny<CancellationToken>())).ThrowsAsync(thrown);
        var queue = new Mock<IStripeEventQueueWriter>(MockBehavior.Strict);
        queue.Setup(q => q.EnqueueAsync(It.IsAny<StripeEventQueueMessage>(), It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>())).ThrowsAsync(thrown);
        var receiver = Receiver(new StripeEventIngest(store.Object, queue.Object, NullLogger<StripeEventIngest>.Instance));

        var receipt = await receiver.ReceiveAsync(Body, StripeSigner.Header(Now.AddSeconds(-2), Body, Secret), CancellationToken.None);

        Assert.Equal(WebhookReceiptStatus.Unavailable, receipt.Status);
        var line = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(expected, line.Level);
        Assert.Contains("evt_1", line.Message, StringComparison.Ordinal);
        Assert.Same(thrown, line.Exception);
    }

    /// <summary>
    /// The same through the real queue adapter: the queue service down (nothing listening) is an outage Stripe's retry
    /// mends, as for every other function that sends to a queue (QueueOutage), so a warning; not an error for the operator.
    /// </summary>
    [Fact]
    public async Task An_event_the_queue_service_cannot_take_while_it_is_down_is_answered_unavailable_with_a_warning()
    {
        using var down = FreePort.Refusing();
        var queues = new StripeEventQueues(
            QueueServiceFactory.Create(new QueueStorageOptions { ConnectionString = LocalEmulators.AzuriteConnectionString(down.Port, down.Host) }),
            Options.Create(new QueueNameOptions()));
        var store = new Mock<IStripeEventStore>(MockBehavior.Strict);
        store.Setup(s => s.TryAddAsync(It.IsAny<NewStripeEvent>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((NewStripeEvent e, CancellationToken _) => new StripeEventAddResult(StripeEventAddOutcome.Added, new StripeEventRecord { Id = e.Id, Type = e.Type, Created = Now, Payload = "{}", Status = StripeEventStatus.Received, ReceivedAt = Now }));
        var receiver = Receiver(new StripeEventIngest(store.Object, new StripeEventQueueWriter(queues), NullLogger<StripeEventIngest>.Instance));

        var receipt = await receiver.ReceiveAsync(Body, StripeSigner.Header(Now.AddSeconds(-2), Body, Secret), CancellationToken.None);

        Assert.Equal(WebhookReceiptStatus.Unavailable, receipt.Status);
        var line = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.IsType<ServiceUnavailableException>(line.Exception);
    }

    [Theory]
    [InlineData(StripeEventAddOutcome.Added, StripeEventStatus.Received, false)]
    [InlineData(StripeEventAddOutcome.Duplicate, StripeEventStatus.Received, true)] // not done yet: queued again, still a duplicate
    [InlineData(StripeEventAddOutcome.Duplicate, StripeEventStatus.Failed, true)]
    [InlineData(StripeEventAddOutcome.Duplicate, StripeEventStatus.Applied, true)]
    public async Task A_kept_event_is_answered_as_a_duplicate_whenever_it_was_stored_before(StripeEventAddOutcome added, StripeEventStatus stored, bool duplicate)
    {
        var store = new Mock<IStripeEventStore>(MockBehavior.Strict);
        store.Setup(s => s.TryAddAsync(It.IsAny<NewStripeEvent>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((NewStripeEvent e, CancellationToken _) => new StripeEventAddResult(added, new StripeEventRecord { Id = e.Id, Type = e.Type, Created = Now, Payload = "{}", Status = stored, ReceivedAt = Now }));
        var queue = new Mock<IStripeEventQueueWriter>(MockBehavior.Strict);
        queue.Setup(q => q.EnqueueAsync(It.IsAny<StripeEventQueueMessage>(), It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>())).ReturnsAsync(new StripeEventQueueReceipt("m1", "p1"));
        queue.Setup(q => q.DeleteAsync(It.IsAny<StripeEventQueueReceipt>(), It.IsAny<CancellationToken>())).ReturnsAsync(true);
        var receiver = Receiver(new StripeEventIngest(store.Object, queue.Object, NullLogger<StripeEventIngest>.Instance));

        var receipt = await receiver.ReceiveAsync(Body, StripeSigner.Header(Now.AddSeconds(-2), Body, Secret), CancellationToken.None);

        Assert.Equal((WebhookReceiptStatus.Kept, duplicate), (receipt.Status, receipt.Duplicate));
    }

    private StripeWebhookReceiver Receiver(StripeEventIngest? ingest = null) => new(
        new StripeWebhookVerifier([Secret], TimeSpan.FromMinutes(5), new FakeTimeProvider(Now)),
        ingest ?? new StripeEventIngest(Mock.Of<IStripeEventStore>(MockBehavior.Strict), Mock.Of<IStripeEventQueueWriter>(MockBehavior.Strict), NullLogger<StripeEventIngest>.Instance),
        logger);
}
