using Billing.Application.Outcomes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.FunctionApp.Functions.BillingApi.Http;

/// <summary>RFC 9457 answers for the outcomes of the billing use cases: invalid requests (400) and refusals (409).</summary>
internal static class ApiProblems
{
    public const string InvalidRequestTitle = "The request is invalid.";

    /// <summary>Problem extension member naming the refusal, e.g. <c>"code": "trial_already_used"</c>.</summary>
    public const string CodeMember = "code";

    public static ValidationProblem Invalid(ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return TypedResults.ValidationProblem(errors.ToDictionary(), title: InvalidRequestTitle);
    }

    public static ProblemHttpResult Refused(Refusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var (code, title) = refusal.Reason switch
        {
            RefusalReason.SubscriptionLive => ("subscription_live", "A subscription is already live."),
            RefusalReason.NoStripeCustomer => ("no_stripe_customer", "The account has no Stripe customer yet."),
            RefusalReason.TrialAlreadyUsed => ("trial_already_used", "The trial was already used."),
            RefusalReason.TrialNotOffered => ("trial_not_offered", "No trial is offered."),
            _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal.Reason, "Unknown refusal reason."),
        };
        return TypedResults.Problem(
            detail: refusal.Detail,
            statusCode: StatusCodes.Status409Conflict,
            title: title,
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { [CodeMember] = code });
    }
}
