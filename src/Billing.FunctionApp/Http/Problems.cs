using System.Diagnostics;
using Billing.Application.Outcomes;

namespace Billing.FunctionApp.Http;

/// <summary>
/// The one mapping from outcomes and refusals to RFC 9457 problem details. Every refusal of every function carries a
/// machine-readable <c>code</c> member (for example <c>"trial_already_used"</c>, <c>"invalid_signature"</c>).
/// </summary>
internal static class Problems
{
    /// <summary>Problem extension member naming the reason.</summary>
    public const string CodeMember = "code";

    public const string InvalidRequestTitle = "The request is invalid.";

    /// <summary>200 with the mapped value, or the problem the outcome stands for.</summary>
    public static IResult Answer<T, TResponse>(Outcome<T> outcome, Func<T, TResponse> toResponse)
    {
        ArgumentNullException.ThrowIfNull(toResponse);
        return outcome switch
        {
            Succeeded<T> succeeded => Results.Ok(toResponse(succeeded.Value)),
            Invalid<T> invalid => Invalid(invalid.Errors.ToDictionary()),
            Refused<T> refused => Refused(refused.Refusal),
            _ => throw new UnreachableException($"Unknown outcome {outcome.GetType().Name}."),
        };
    }

    /// <summary>400 naming each bad field (<c>$</c> is the body as a whole).</summary>
    public static IResult Invalid(IDictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, title: InvalidRequestTitle, extensions: Code("invalid_request"));

    public static IResult Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public static IResult Refused(Refusal refusal)
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
        return Of(StatusCodes.Status409Conflict, title, refusal.Detail, code);
    }

    /// <summary>Any other problem: <paramref name="status"/>, a short title, a sentence for a person and the machine-readable code.</summary>
    public static IResult Of(int status, string title, string? detail, string code) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: Code(code));

    private static Dictionary<string, object?> Code(string code) => new(StringComparer.Ordinal) { [CodeMember] = code };
}
