using Billing.Application.Accounts;
using Billing.Application.Outcomes;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Metering;

/// <summary>
/// <c>PUT /api/accounts/{accountId}</c> (service credential): registers a billing account on the free plan, idempotently
/// (201 when created, 200 when it existed). Usage and allocations are accepted for registered accounts only.
/// </summary>
public sealed class RegisterAccountFunction(AccountRegistration registration)
{
    [Authorize(Policy = Authentication.ServicePolicy)]
    [Function("RegisterAccount")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "accounts/{accountId}")] HttpRequest request,
        string accountId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await StrictJsonBody.ReadAsync<EmptyRequest>(request, required: false, cancellationToken).ConfigureAwait(false);
        if (body.Value is null)
        {
            return body.Problem!;
        }

        var outcome = await registration.RegisterAsync(accountId, cancellationToken).ConfigureAwait(false);
        return outcome is Succeeded<RegisteredAccount> { Value.Created: true } created
            ? Results.Created((string?)null, AccountRegistrationResponse.From(created.Value))
            : Problems.Answer(outcome, AccountRegistrationResponse.From);
    }
}
