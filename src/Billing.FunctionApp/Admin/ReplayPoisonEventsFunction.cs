using Billing.FunctionApp.Http;
using Billing.Infrastructure.Queues;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Admin;

/// <summary>
/// <c>POST /api/billing/admin/poison/replay</c> (admin role) with <c>{"eventIds":["evt_..."]}</c> or <c>{"all":true}</c>:
/// moves those poison messages of the Stripe events queue back to the main queue; with <c>?queue=invoice-jobs</c> and
/// <c>{"runIds":["{accountId}:{periodKey}"]}</c> or <c>{"all":true}</c> those of the invoice jobs queue. Answers what
/// was moved and which ids were not found.
/// </summary>
public sealed class ReplayPoisonEventsFunction(IEnumerable<IPoisonMessages> queues)
{
    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminReplayPoisonEvents")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing/admin/poison/replay")] HttpRequest request, CancellationToken cancellationToken)
    {
        // The query's problem, not only an unknown queue: a repeated queue= resolves to the default queue, which must not be replayed.
        var query = new QueryParameters(request);
        var poison = PoisonQueueParameter.Resolve(query, queues);
        if (query.Problem is { } problem)
        {
            return problem;
        }

        var body = await StrictJsonBody.ReadAsync<PoisonReplayRequest>(request, required: true, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } input)
        {
            return body.Problem!;
        }

        var byRun = poison!.Kind == PoisonQueueKinds.InvoiceJobs;
        var (selected, other, otherField) = byRun ? (input.RunIds, input.EventIds, "eventIds") : (input.EventIds, input.RunIds, "runIds");
        if (other is not null)
        {
            return Problems.Invalid(otherField, byRun
                ? "The invoice-jobs queue selects jobs by runIds ({accountId}:{periodKey})."
                : "Only for queue=invoice-jobs; Stripe events are selected by eventIds.");
        }

        var ids = selected?.Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToList() ?? [];
        if ((ids.Count == 0) != (input.All ?? false))
        {
            return Problems.Invalid(StrictJsonBody.BodyField, byRun
                ? "Send {\"runIds\":[\"{accountId}:{periodKey}\"]} for selected jobs, or {\"all\":true} for every poison message (not both)."
                : "Send {\"eventIds\":[\"evt_...\"]} for selected events, or {\"all\":true} for every poison message (not both).");
        }

        return Results.Ok(await poison.ReplayAsync(ids, cancellationToken).ConfigureAwait(false));
    }
}
