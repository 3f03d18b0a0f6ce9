using Billing.Application.Usage;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Metering;

/// <summary><c>POST /api/usage/check</c> (service credential): would this quantity be recorded now? Changes nothing.</summary>
public sealed class CheckUsageFunction(UsageRecording usage)
{
    [Authorize(Policy = Authentication.ServicePolicy)]
    [Function("CheckUsage")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "usage/check")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await StrictJsonBody.ReadAsync<UsageCheckBody>(request, required: true, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } check)
        {
            return body.Problem!;
        }

        var outcome = await usage.CheckAsync(check.ToRequest(), cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, UsageCheckResponse.From);
    }
}
