using Billing.Application.Outcomes;
using Billing.Application.Usage;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Billing.FunctionApp.Metering;

/// <summary>
/// <c>POST /api/usage/batch</c> (service credential): up to 100 records, each checked and recorded on its own with the
/// rules of <c>POST /api/usage</c>; one bad record does not sink the others. 200 with one result per record in order;
/// 400 only for a malformed body or more than 100 records.
/// </summary>
public sealed class RecordUsageBatchFunction(UsageRecording usage)
{
    [Authorize(Policy = Authentication.ServicePolicy)]
    [Function("RecordUsageBatch")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "usage/batch")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await StrictJsonBody.ReadAsync<UsageBatchBody>(request, required: true, StrictJsonBody.BatchMaxBytes, cancellationToken).ConfigureAwait(false);
        if (body.Value is null)
        {
            return body.Problem!;
        }

        if (body.Value.Records is not { Count: > 0 } records)
        {
            return Problems.Invalid("records", $"Required: 1 to {UsageOptions.MaxBatchRecords} usage records.");
        }

        // Records that fail the body rules get their 400 here; the rest go to the use case together.
        var parsed = records.Select(StrictJsonBody.ReadElement<UsageRecordBody>).ToList();
        var valid = parsed.Select((p, index) => (p, index)).Where(x => x.p.Value is not null).ToList();
        var outcomes = await usage.RecordBatchAsync([.. valid.Select(x => x.p.Value!.ToRequest())], cancellationToken).ConfigureAwait(false);

        var results = new UsageBatchItemResponse[records.Count];
        for (var i = 0; i < valid.Count; i++)
        {
            results[valid[i].index] = Item(valid[i].index, outcomes[i]);
        }

        for (var i = 0; i < parsed.Count; i++)
        {
            if (parsed[i].Value is null)
            {
                var problem = Problems.InvalidDetails(new Dictionary<string, string[]>(parsed[i].Errors!, StringComparer.Ordinal));
                results[i] = new UsageBatchItemResponse(i, StatusCodes.Status400BadRequest, null, problem);
            }
        }

        // Each record's problem carries the call's trace id, as every problem answer does.
        var traceId = Problems.TraceIdOf(request.HttpContext);
        foreach (var problem in results.Select(r => r.Problem).OfType<ProblemDetails>())
        {
            problem.Extensions[Problems.TraceIdMember] = traceId;
        }

        var recorded = results.Count(r => r.Usage is not null);
        return Results.Ok(new UsageBatchResponse(recorded, results.Length - recorded, results));
    }

    private static UsageBatchItemResponse Item(int index, Outcome<RecordedUsage> outcome)
    {
        if (outcome is Succeeded<RecordedUsage> succeeded)
        {
            return new UsageBatchItemResponse(index, StatusCodes.Status200OK, UsageRecordResponse.From(succeeded.Value), null);
        }

        var problem = Problems.Describe(outcome);
        return new UsageBatchItemResponse(index, problem.Status ?? StatusCodes.Status400BadRequest, null, problem);
    }
}
