using System.Text.Json;
using Azure.Storage.Queues.Models;
using Billing.Application.Invoicing;
using Billing.Application.Operations;
using Billing.Application.StripeEvents;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Queues;

/// <summary>
/// Operations on <c>&lt;invoice-jobs queue&gt;-poison</c>, where an invoicing job lands after <c>maxDequeueCount</c>
/// failed deliveries: list the jobs with their runs' state, and replay them by run id (<c>{accountId}:{periodKey}</c>)
/// or all at once. A replayed job resumes its run from the last saved step, so replaying never bills twice.
/// </summary>
public sealed class InvoiceJobPoisonMessages(
    InvoiceJobQueues queues,
    IInvoiceRunStore runs,
    ILogger<InvoiceJobPoisonMessages> logger) : IPoisonMessages
{
    private readonly PoisonQueue _queue = new(queues.Main, queues.Poison, logger);

    public string Kind => PoisonQueueKinds.InvoiceJobs;

    public string PoisonQueueName => _queue.PoisonQueueName;

    public Task<PoisonListing> ListAsync(int max, CancellationToken cancellationToken) =>
        _queue.ListAsync(max, DescribeAsync, cancellationToken);

    /// <summary>Moves the jobs of the given runs (all messages when <paramref name="ids"/> is empty) back to the main queue.</summary>
    public Task<PoisonReplayResult> ReplayAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        _queue.ReplayAsync(ids, body => JobOf(body)?.RunId, (messageId, runId) => new ReplayedMessage(messageId, null) { RunId = runId }, cancellationToken);

    private async Task<PoisonMessageView> DescribeAsync(PeekedMessage message, CancellationToken cancellationToken)
    {
        var view = new PoisonMessageView { MessageId = message.MessageId, InsertedOn = message.InsertedOn ?? DateTimeOffset.MinValue };
        if (JobOf(message.Body) is not { } job)
        {
            return view with { Problem = "Not an invoice job (expected {\"accountId\":\"...\",\"periodKey\":\"...\"})." };
        }

        view = view with { RunId = job.RunId, AccountId = job.AccountId.Value, PeriodKey = job.PeriodKey.Value };
        var run = await runs.GetAsync(job.AccountId, job.PeriodKey, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return view with { Note = "No run is stored: the job failed before it saved the period's charges (for example, the account has no Stripe customer)." };
        }

        return view with
        {
            Status = JsonNamingPolicy.CamelCase.ConvertName(run.Step.ToString()),
            Attempts = run.Attempts,
            LastAttemptAt = run.UpdatedAt,
            Note = run.StripeInvoiceId is { } invoice ? $"Stripe invoice {invoice}{(run.Status is { } status ? $" ({status})" : "")}." : null,
        };
    }

    private static InvoiceJob? JobOf(BinaryData? body)
    {
        if (body is null)
        {
            return null;
        }

        try
        {
            return InvoiceJob.Parse(body.ToString());
        }
        catch (InvalidQueueMessageException)
        {
            return null;
        }
    }
}
