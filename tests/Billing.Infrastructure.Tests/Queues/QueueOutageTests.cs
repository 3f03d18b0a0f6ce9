using Azure;
using Billing.Application;
using Billing.Application.Invoicing;
using Billing.Application.Operations;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Infrastructure.Queues;
using Billing.Infrastructure.Tests.Support;
using Billing.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Tests.Queues;

/// <summary>
/// The queue adapters tell an outage of the queue service (the application's <see cref="ServiceUnavailableException"/>,
/// answered 503) from a refusal, which stays the SDK's failure (answered 500: a deployment error to fix).
/// </summary>
public sealed class QueueOutageTests : IDisposable
{
    private static readonly InvoiceJob Job = new(AccountId.Parse("user-42"), UsagePeriodKey.ForCalendarMonth(2026, 11));

    private readonly RefusingPort _down = FreePort.Refusing();

    [Fact]
    public async Task Sending_an_invoice_job_while_the_queue_service_is_down_is_an_outage()
    {
        var sender = new InvoiceJobSender(InvoiceJobQueues(LocalEmulators.AzuriteConnectionString(_down.Port, _down.Host)));

        var outage = await Assert.ThrowsAsync<ServiceUnavailableException>(() => sender.EnqueueAsync(Job, CancellationToken.None));

        Assert.Contains("invoice-jobs", outage.Message, StringComparison.Ordinal);
        Assert.True(QueueOutageIsTheCause(outage), outage.InnerException?.ToString());
    }

    [Fact]
    public async Task Listing_and_replaying_poison_messages_while_the_queue_service_is_down_is_an_outage()
    {
        var service = QueueServiceFactory.Create(new QueueStorageOptions { ConnectionString = LocalEmulators.AzuriteConnectionString(_down.Port, _down.Host) });
        var events = new StripeEventPoisonMessages(
            new StripeEventQueues(service, Options.Create(new QueueNameOptions())),
            new InMemoryEventStore(),
            NullLogger<StripeEventPoisonMessages>.Instance);
        var jobs = new InvoiceJobPoisonMessages(
            new InvoiceJobQueues(service, Options.Create(new QueueNameOptions())),
            new InMemoryInvoiceRunStore(),
            NullLogger<InvoiceJobPoisonMessages>.Instance);

        foreach (var poison in new IPoisonMessages[] { events, jobs })
        {
            await Assert.ThrowsAsync<ServiceUnavailableException>(() => poison.ListAsync(5, CancellationToken.None));
            await Assert.ThrowsAsync<ServiceUnavailableException>(() => poison.ReplayAsync(["evt_1"], CancellationToken.None));
            await Assert.ThrowsAsync<ServiceUnavailableException>(() => poison.ReplayAsync([], CancellationToken.None));
        }
    }

    [Fact]
    public async Task The_callers_cancellation_stays_a_cancellation()
    {
        var sender = new InvoiceJobSender(InvoiceJobQueues(LocalEmulators.AzuriteConnectionString(_down.Port, _down.Host)));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sender.EnqueueAsync(Job, cancelled.Token));
    }

    [Fact]
    public async Task A_refusal_of_the_queue_service_is_not_an_outage()
    {
        // Azurite's account with another key: every request is refused with 403, as a missing role is on Azure.
        var wrongKey = LocalEmulators.Storage.Replace("AccountKey=", "AccountKey=AAAA", StringComparison.Ordinal);
        var sender = new InvoiceJobSender(InvoiceJobQueues(wrongKey));

        var refusal = await Assert.ThrowsAsync<RequestFailedException>(() => sender.EnqueueAsync(Job, CancellationToken.None));

        Assert.Equal(403, refusal.Status);
    }

    [Theory]
    [InlineData(new[] { 0 }, true)] // the transport failed
    [InlineData(new[] { 500 }, true)]
    [InlineData(new[] { 503 }, true)]
    [InlineData(new[] { 503, 500 }, true)] // every retry answered by a server in trouble
    [InlineData(new[] { 403 }, false)]
    [InlineData(new[] { 404 }, false)]
    [InlineData(new[] { 499 }, false)]
    [InlineData(new[] { 503, 403 }, false)] // a retry refused: the refusal stays one
    public void A_failure_is_an_outage_only_when_every_answer_was_a_server_error_or_none(int[] statuses, bool outage)
    {
        Exception failure = statuses.Length == 1
            ? new RequestFailedException(statuses[0], "queue")
            : new AggregateException(statuses.Select(status => new RequestFailedException(status, "queue")));

        Assert.Equal(outage, QueueOutage.Is(failure, CancellationToken.None));
        Assert.False(QueueOutage.Is(new AggregateException(), CancellationToken.None)); // nothing to tell
    }

    public void Dispose() => _down.Dispose();

    private static InvoiceJobQueues InvoiceJobQueues(string connectionString) =>
        new(
            QueueServiceFactory.Create(new QueueStorageOptions { ConnectionString = connectionString }),
            Options.Create(new QueueNameOptions()));

    private static bool QueueOutageIsTheCause(ServiceUnavailableException outage) =>
        outage.InnerException is AggregateException or RequestFailedException { Status: 0 };
}
