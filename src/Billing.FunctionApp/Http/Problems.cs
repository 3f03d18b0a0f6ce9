using System.Diagnostics;
using Billing.Application.Outcomes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Billing.FunctionApp.Http;

/// <summary>
/// The one mapping from outcomes and refusals to RFC 9457 problem details. Every refusal of every function carries a
/// machine-readable <c>code</c> member (for example <c>"trial_already_used"</c>, <c>"invalid_signature"</c>).
/// </summary>
internal static class Problems
{
    /// <summary>Problem extension member naming the reason.</summary>
    public const string CodeMember = "code";

    /// <summary>Problem extension member naming the request's trace, to quote when asking about a refusal.</summary>
    public const string TraceIdMember = "traceId";

    public const string InvalidRequestTitle = "The request is invalid.";

    /// <summary>200 with the mapped value, or the problem the outcome stands for.</summary>
    public static IResult Answer<T, TResponse>(Outcome<T> outcome, Func<T, TResponse> toResponse) =>
        outcome is Succeeded<T> succeeded ? Results.Ok(toResponse(succeeded.Value)) : Results.Problem(Describe(outcome));

    /// <summary>The problem a failed outcome stands for, as a value (e.g. one item of a batch answer).</summary>
    public static ProblemDetails Describe<T>(Outcome<T> outcome) => outcome switch
    {
        Invalid<T> invalid => InvalidDetails(invalid.Errors.ToDictionary()),
        Refused<T> refused => RefusedDetails(refused.Refusal),
        _ => throw new UnreachableException($"{outcome.GetType().Name} is not a problem."),
    };

    /// <summary>400 naming each bad field (<c>$</c> is the body as a whole).</summary>
    public static IResult Invalid(IDictionary<string, string[]> errors) => Results.Problem(InvalidDetails(errors));

    public static IResult Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public static IResult Refused(Refusal refusal) => Results.Problem(RefusedDetails(refusal));

    public static HttpValidationProblemDetails InvalidDetails(IDictionary<string, string[]> errors)
    {
        var problem = new HttpValidationProblemDetails(errors)
        {
            Title = InvalidRequestTitle,
            Status = StatusCodes.Status400BadRequest,
            Type = TypeFor(StatusCodes.Status400BadRequest),
            Detail = $"Invalid: {string.Join(", ", errors.Keys)}. The errors member says what each needs; nothing was changed.",
        };
        problem.Extensions[CodeMember] = "invalid_request";
        return problem;
    }

    public static ProblemDetails RefusedDetails(Refusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var (status, code, title) = refusal.Reason switch
        {
            RefusalReason.SubscriptionLive => (StatusCodes.Status409Conflict, "subscription_live", "A subscription is already live."),
            RefusalReason.NoStripeCustomer => (StatusCodes.Status409Conflict, "no_stripe_customer", "The account has no Stripe customer yet."),
            RefusalReason.TrialAlreadyUsed => (StatusCodes.Status409Conflict, "trial_already_used", "The trial was already used."),
            RefusalReason.TrialNotOffered => (StatusCodes.Status409Conflict, "trial_not_offered", "No trial is offered."),
            RefusalReason.AccountNotFound => (StatusCodes.Status404NotFound, "account_not_found", "No such account."),
            RefusalReason.QuotaExceeded => (StatusCodes.Status402PaymentRequired, "quota_exceeded", "The plan's limit is reached."),
            RefusalReason.IdempotencyKeyReused => (StatusCodes.Status409Conflict, "idempotency_key_reused", "The idempotency key was used for another request."),
            RefusalReason.UsageInProgress => (StatusCodes.Status409Conflict, "usage_in_progress", "The same usage is being recorded by another call."),
            RefusalReason.PeriodNotClosed => (StatusCodes.Status409Conflict, "period_not_closed", "The period has not closed yet."),
            RefusalReason.InsufficientCredit => (StatusCodes.Status409Conflict, "insufficient_credit", "Not enough spendable credit."),
            RefusalReason.CounterFull => (StatusCodes.Status409Conflict, "counter_full", "The meter's counter is full for this period."),
            RefusalReason.UsageNotCounted => (StatusCodes.Status503ServiceUnavailable, "busy", "The usage store is busy."),
            RefusalReason.AddOnNotApplicable => (StatusCodes.Status409Conflict, "add_on_not_applicable", "The add-on would change nothing for this plan."),
            RefusalReason.PlanNotSold => (StatusCodes.Status409Conflict, "plan_not_sold", "The plan is not on sale at this interval."),
            RefusalReason.CustomerLinkedToOtherAccount => (StatusCodes.Status409Conflict, "customer_linked_to_other_account", "The Stripe customer belongs to another account."),
            RefusalReason.InvoiceRunNotFound => (StatusCodes.Status404NotFound, "invoice_run_not_found", "No such invoice run."),
            _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal.Reason, "Unknown refusal reason."),
        };
        var problem = new ProblemDetails { Title = title, Status = status, Detail = refusal.Detail, Type = TypeFor(status) };
        problem.Extensions[CodeMember] = code;
        foreach (var (name, value) in refusal.Facts)
        {
            problem.Extensions[name] = value;
        }

        return problem;
    }

    /// <summary>
    /// Stamps every problem answer with the request's W3C trace context id (<c>00-{trace id}-{span id}-{flags}</c>, the
    /// flags <c>01</c> when the trace is sampled and <c>00</c> when not, as ASP.NET Core's own problems carry it; the trace
    /// id is Application Insights' operation id, and a caller's <c>traceparent</c> header carries over), or the server's
    /// request id when there is no trace.
    /// </summary>
    public static void AddTraceId(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.ProblemDetails.Extensions[TraceIdMember] = TraceIdOf(context.HttpContext);
    }

    /// <summary>The trace id <see cref="AddTraceId"/> stamps, for a problem carried inside an answer (a batch's records).</summary>
    public static string TraceIdOf(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        // The request's own activity first: the function runs in the invocation's flow, whose activity may be none.
        return http.Features.Get<IHttpActivityFeature>()?.Activity.Id ?? Activity.Current?.Id ?? http.TraceIdentifier;
    }

    /// <summary>Any other problem: <paramref name="status"/>, a short title, a sentence for a person and the machine-readable code.</summary>
    public static IResult Of(int status, string title, string? detail, string code) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: TypeFor(status), extensions: Code(code));

    /// <summary>
    /// The section of the RFC that defines a status, as ASP.NET Core's own problem answers name it, for every status a
    /// function answers (the framework's defaults leave out 402, 413 and 429); <c>about:blank</c> for any other.
    /// </summary>
    private static string TypeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        StatusCodes.Status401Unauthorized => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        StatusCodes.Status402PaymentRequired => "https://tools.ietf.org/html/rfc9110#section-15.5.3",
        StatusCodes.Status403Forbidden => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        StatusCodes.Status404NotFound => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        StatusCodes.Status405MethodNotAllowed => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        StatusCodes.Status409Conflict => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        StatusCodes.Status413PayloadTooLarge => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        StatusCodes.Status415UnsupportedMediaType => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
        StatusCodes.Status500InternalServerError => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        StatusCodes.Status502BadGateway => "https://tools.ietf.org/html/rfc9110#section-15.6.3",
        StatusCodes.Status503ServiceUnavailable => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        StatusCodes.Status504GatewayTimeout => "https://tools.ietf.org/html/rfc9110#section-15.6.5",
        _ => "about:blank",
    };

    private static Dictionary<string, object?> Code(string code) => new(StringComparer.Ordinal) { [CodeMember] = code };
}
