using System.Text;
using Azure.Storage.Queues;
using Billing.Application.Invoicing;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.Infrastructure.Queues;
using Billing.Infrastructure.Tests.Support;
using Billing.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Tests.Queues;

public sealed class InvoiceJobPoisonMessagesTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Saved = new(2026, 12, 1, 2, 0, 9, TimeSpan.Zero);

    private readonly InvoiceJobQueues _queues = new(
        QueueServiceFactory.Create(new QueueStorageOptions { ConnectionString = LocalEmulators.Storage }),
        Options.Create(new QueueNameOptions { InvoiceJobsQueueName = "jobs-" + Guid.NewGuid().ToString("N")[..20] }));

    private readonly InMemoryInvoiceRunStore _runs = new();

    [Fact]
    public async Task The_listing_shows_each_job_with_its_run_or_its_problem()
    {
        var stuck = Job("user-1", 2026, 11);
        _runs.Runs[stuck.RunId] = Run(stuck) with { Step = InvoiceRunStep.DraftCreated, StripeInvoiceId = "in_1", Status = "draft", Attempts = 5, UpdatedAt = Saved };
        await PoisonAsync(stuck.ToJson(), Job("user-2", 2026, 11).ToJson(), "not json");

        var listing = await Poison().ListAsync(10, CancellationToken.None);

        Assert.Equal(_queues.Poison.Name, listing.Queue);
        Assert.EndsWith("-poison", listing.Queue, StringComparison.Ordinal);
        Assert.Equal(3, listing.ApproximateCount);
        var run = listing.Messages[0];
        Assert.Equal(("user-1:month-2026-11", "user-1", "month-2026-11", "draftCreated", 5, Saved), (run.RunId, run.AccountId, run.PeriodKey, run.Status, run.Attempts, run.LastAttemptAt));
        Assert.Equal("Stripe invoice in_1 (draft).", run.Note);
        Assert.Null(run.Problem);
        Assert.Null(run.EventId);
        var notStored = listing.Messages[1];
        Assert.Equal(("user-2:month-2026-11", null, null), (notStored.RunId, notStored.Status, notStored.Problem));
        Assert.StartsWith("No run is stored", notStored.Note, StringComparison.Ordinal);
        Assert.Null(listing.Messages[2].RunId);
        Assert.StartsWith("Not an invoice job", listing.Messages[2].Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replaying_selected_runs_moves_their_jobs_base64_encoded_and_reports_those_not_found()
    {
        var a = Job("user-a", 2026, 10);
        var b = Job("user-b", 2026, 10);
        await PoisonAsync(a.ToJson(), b.ToJson(), "not json");

        var result = await Poison().ReplayAsync([a.RunId, "user-z:month-2026-10"], CancellationToken.None);

        var replayed = Assert.Single(result.Replayed);
        Assert.Equal((a.RunId, null), (replayed.RunId, replayed.EventId));
        Assert.Equal(["user-z:month-2026-10"], result.NotFound);
        var raw = new QueueClient(LocalEmulators.Storage, _queues.Main.Name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var main = (await raw.PeekMessagesAsync(32)).Value.Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString())));
        Assert.Equal(a, InvoiceJob.Parse(Assert.Single(main)));

        // The others stay, visible again at once.
        var left = await AzuriteQueues.PeekTextsAsync(_queues.Poison);
        Assert.Equal(2, left.Count);
        Assert.DoesNotContain(left, text => text.Contains("user-a", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replaying_without_a_selection_moves_every_job_and_an_empty_queue_lists_nothing()
    {
        var empty = await Poison().ListAsync(32, CancellationToken.None);
        await PoisonAsync(Job("user-a", 2026, 10).ToJson(), "not json");

        var result = await Poison().ReplayAsync([], CancellationToken.None);

        Assert.Equal((0, 0), (empty.ApproximateCount, empty.Messages.Count));
        Assert.Equal(2, result.Replayed.Count);
        Assert.Empty(result.NotFound);
        Assert.Empty(await AzuriteQueues.PeekTextsAsync(_queues.Poison));
        Assert.Equal(2, (await AzuriteQueues.PeekTextsAsync(_queues.Main)).Count);
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

    private InvoiceJobPoisonMessages Poison() => new(_queues, _runs, NullLogger<InvoiceJobPoisonMessages>.Instance);

    /// <summary>Puts messages in the poison queue as the Functions host does: base64.</summary>
    private async Task PoisonAsync(params string[] texts)
    {
        await _queues.Poison.CreateIfNotExistsAsync();
        foreach (var text in texts)
        {
            await _queues.Poison.SendMessageAsync(text);
        }
    }

    private static InvoiceJob Job(string account, int year, int month) => new(AccountId.Parse(account), UsagePeriodKey.ForCalendarMonth(year, month));

    private static InvoiceRun Run(InvoiceJob job)
    {
        var period = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero));
        return new InvoiceRun
        {
            AccountId = job.AccountId,
            PeriodKey = job.PeriodKey,
            PeriodStart = period.Start,
            PeriodEnd = period.End,
            Plan = PlanCode.Parse("PRO"),
            Currency = Currency.Parse("usd"),
            Lines = [new InvoiceRunLine(MeterName.Parse("agent_runs"), 6_250, 5_000, 1_250, 2_500, "agent_runs")],
            Step = InvoiceRunStep.Computed,
            CreatedAt = Saved,
            UpdatedAt = Saved,
        };
    }
}
