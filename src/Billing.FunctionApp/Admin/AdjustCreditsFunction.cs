using Billing.Application.Credits;
using Billing.Domain.Accounts;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Admin;

/// <summary>
/// <c>POST /api/billing/admin/accounts/{accountId}/credits</c> (admin role): a manual credit adjustment with a reason; the
/// operator is the admin token's account claim. 200 with the entry and the balance; 400 invalid; 404 no such account;
/// 409 more than the spendable credit taken, or an idempotency key reused for another adjustment.
/// </summary>
public sealed class AdjustCreditsFunction(CreditAdjustments adjustments)
{
    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminAdjustCredits")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing/admin/accounts/{accountId}/credits")] HttpRequest request,
        string accountId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!AccountId.TryParse(accountId, out var id, out var error))
        {
            return Problems.Invalid("accountId", error ?? "Not a valid account id.");
        }

        var body = await StrictJsonBody.ReadAsync<CreditAdjustmentBody>(request, required: true, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } input)
        {
            return body.Problem!;
        }

        var operatorId = CallerAccount.Of(request.HttpContext).Value;
        var outcome = await adjustments.AdjustAsync(id, new CreditAdjustmentRequest(input.Amount, input.Currency, input.Reason, input.IdempotencyKey), operatorId, cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, adjusted => CreditAdjustmentResponse.From(id.Value, adjusted));
    }
}
