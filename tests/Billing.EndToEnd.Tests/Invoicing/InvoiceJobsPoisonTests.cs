using System.Text.Json;
using Billing.Application.Invoicing;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Invoicing;

/// <summary>
/// The operator's view of invoice jobs that keep failing: the app provisions <c>invoice-jobs</c> and its poison queue
/// at start-up (development), and the CLI lists a poisoned job with <c>--queue invoice-jobs</c> and replays it by run id.
/// </summary>
public sealed class InvoiceJobsPoisonTests : IAsyncLifetime
{
    private FunctionAppProcess _app = null!;
    private Dictionary<string, string?> _settings = null!;
    private LocalEmulators _emulators = null!;

    public async Task InitializeAsync()
    {
        _emulators = await LocalEmulators.GetAsync();
        _settings = FunctionAppSettings.ForEmulators(_emulators);
        _app = await FunctionAppProcess.StartAsync(_settings);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_poisoned_invoice_job_is_listed_and_replayed_with_the_cli()
    {
        var queueName = _settings["INVOICE_JOBS_QUEUE"]!;
        var jobs = TestQueues.Client(_emulators.StorageConnectionString, queueName);
        var poison = TestQueues.Client(_emulators.StorageConnectionString, queueName + "-poison");
        Assert.True(await jobs.ExistsAsync(), "the invoice jobs queue was not provisioned");
        Assert.True(await poison.ExistsAsync(), "the invoice jobs poison queue was not provisioned");
        var job = new InvoiceJob(AccountId.Parse("e2e-" + Guid.NewGuid().ToString("N")[..12]), UsagePeriodKey.ForCalendarMonth(2026, 11));
        await poison.SendMessageAsync(job.ToJson());

        var list = await CliRun.RunAsync("admin", "poison", "list", "--queue", "invoice-jobs", "--url", _app.BaseAddress.ToString(), "--settings", CliRun.DevelopmentSettings);

        Assert.True(list.ExitCode == 0, list.Error);
        using (var listing = JsonDocument.Parse(list.Output))
        {
            Assert.Equal(queueName + "-poison", listing.RootElement.GetProperty("queue").GetString());
            var message = Assert.Single(listing.RootElement.GetProperty("messages").EnumerateArray());
            Assert.Equal((job.RunId, job.AccountId.Value, "month-2026-11"), (message.GetProperty("runId").GetString(), message.GetProperty("accountId").GetString(), message.GetProperty("periodKey").GetString()));
            Assert.StartsWith("No run is stored", message.GetProperty("note").GetString(), StringComparison.Ordinal);
        }

        var replay = await CliRun.RunAsync("admin", "poison", "replay", "--queue", "invoice-jobs", "--run", job.RunId, "--run", "nobody:month-2026-11", "--url", _app.BaseAddress.ToString(), "--settings", CliRun.DevelopmentSettings);

        Assert.True(replay.ExitCode == 1, replay.Error); // the job it has is replayed; the unknown run fails the command
        Assert.Contains("not in the poison queue, so not replayed: nobody:month-2026-11", replay.Error, StringComparison.Ordinal);
        using (var result = JsonDocument.Parse(replay.Output))
        {
            Assert.Equal(job.RunId, Assert.Single(result.RootElement.GetProperty("replayed").EnumerateArray()).GetProperty("runId").GetString());
            Assert.Equal("nobody:month-2026-11", Assert.Single(result.RootElement.GetProperty("notFound").EnumerateArray()).GetString());
        }

        Assert.Empty(await poison.PeekTextsAsync());
    }
}
