using Billing.Application.Usage;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Metering;

/// <summary>
/// <c>POST /api/usage</c> (service credential): records consumption; 200 with the meter's state, 402 over a hard limit
/// (nothing recorded), 400 bad input, 404 unknown account, 409 an idempotency key reused for other usage.
/// </summary>
public sealed class RecordUsageFunction(UsageRecording usage)
{
    [Authorize(Policy = Authentication.ServicePolicy)]
    [Function("RecordUsage")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "usage")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await StrictJsonBody.ReadAsync<UsageRecordBody>(request, required: true, cancellationToken).ConfigureAwait(false);
        if (body.Value is null)
        {
            return body.Problem!;
        }

        var outcome = await usage.RecordAsync(body.Value.ToRequest(), cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, UsageRecordResponse.From);
    }
}
