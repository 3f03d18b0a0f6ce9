using System.Text;
using Azure.Storage.Queues;
using Billing.Application.Invoicing;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Infrastructure.Queues;
using Billing.Infrastructure.Tests.Support;
using Billing.TestSupport;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Tests.Queues;

public sealed class InvoiceJobSenderTests : IAsyncLifetime
{
    private readonly InvoiceJobQueues _queues = new(
        QueueServiceFactory.Create(new QueueStorageOptions { ConnectionString = LocalEmulators.Storage }),
        Options.Create(new QueueNameOptions { InvoiceJobsQueueName = "jobs-" + Guid.NewGuid().ToString("N")[..20] }));

    [Fact]
    public async Task A_sent_job_is_on_the_wire_in_base64_and_parses_back_into_the_job()
    {
        var job = new InvoiceJob(AccountId.Parse("user-42"), UsagePeriodKey.ForCalendarMonth(2026, 11));

        await new InvoiceJobSender(_queues).EnqueueAsync(job, CancellationToken.None); // the queue does not exist yet

        var raw = new QueueClient(LocalEmulators.Storage, _queues.Main.Name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var onTheWire = Assert.Single((await raw.PeekMessagesAsync(32)).Value).Body.ToString();
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(onTheWire));
        Assert.Equal("""{"accountId":"user-42","periodKey":"month-2026-11"}""", text);
        Assert.Equal(job, InvoiceJob.Parse(text));
        Assert.Equal(job, InvoiceJob.Parse(Assert.Single(await AzuriteQueues.PeekTextsAsync(_queues.Main))));
    }

    [Fact]
    public async Task Jobs_sent_in_parallel_all_arrive()
    {
        var sender = new InvoiceJobSender(_queues);
        var jobs = Enumerable.Range(1, 12).Select(m => new InvoiceJob(AccountId.Parse($"user-{m}"), UsagePeriodKey.ForCalendarMonth(2026, m))).ToList();

        await Task.WhenAll(jobs.Select(job => Task.Run(() => sender.EnqueueAsync(job, CancellationToken.None))));

        var received = (await AzuriteQueues.PeekTextsAsync(_queues.Main)).Select(InvoiceJob.Parse).ToHashSet();
        Assert.Equal(jobs.ToHashSet(), received);
    }

    [Fact]
    public async Task A_job_never_expires_so_one_queued_while_the_processor_is_stopped_is_still_done()
    {
        // The daily timer queues a period again only while it is in its look-back window; a job an operator queued for
        // an older month, or a catch-up's, would be gone after the service's default time-to-live (7 days).
        var job = new InvoiceJob(AccountId.Parse("user-7"), UsagePeriodKey.ForCalendarMonth(2026, 1));

        await new InvoiceJobSender(_queues).EnqueueAsync(job, CancellationToken.None); // creates the queue
        await new InvoiceJobSender(_queues).EnqueueAsync(job with { PeriodKey = UsagePeriodKey.ForCalendarMonth(2026, 2) }, CancellationToken.None); // finds it

        var messages = (await _queues.Main.PeekMessagesAsync(32)).Value;
        Assert.Equal(2, messages.Length);
        Assert.All(messages, message => Assert.True(message.ExpiresOn > DateTimeOffset.UtcNow.AddYears(100), $"The job expires on {message.ExpiresOn:O}."));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_queues is not null)
        {
            await _queues.Main.DeleteIfExistsAsync();
            await _queues.Poison.DeleteIfExistsAsync();
        }
    }
}
