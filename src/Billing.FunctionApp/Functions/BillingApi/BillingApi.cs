using System.Diagnostics;
using Billing.Application.Checkout;
using Billing.Application.Outcomes;
using Billing.Application.Portal;
using Billing.Application.Subscriptions;
using Billing.Application.Trials;
using Billing.Domain.Plans;
using Billing.FunctionApp.Auth;
using Billing.FunctionApp.Functions.BillingApi.Contracts;
using Billing.FunctionApp.Functions.BillingApi.Http;
using Billing.FunctionApp.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.FunctionApp.Functions.BillingApi;

/// <summary>
/// The HTTP functions the frontend calls. Each is thin: bind, call one use case, answer. Routes and methods come from
/// each function's function.json; every user endpoint requires a valid token and acts on the caller's own account.
/// </summary>
public static class BillingApi
{
    public const string PlansFunction = "BillingPlans";
    public const string SubscriptionFunction = "BillingSubscription";
    public const string CheckoutFunction = "BillingCheckout";
    public const string PortalFunction = "BillingPortal";
    public const string TrialFunction = "BillingTrial";
    public const string OpenApiFunction = "OpenApiDocument";
    public const string OpenApiDocumentName = "v1";

    private const string JsonContentType = "application/json";
    private static readonly TimeSpan PlansCacheLifetime = TimeSpan.FromMinutes(5);

    public static IEndpointRouteBuilder MapBillingApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup(string.Empty).RequireCors(BillingApiCors.PolicyName).WithTags("Billing");

        api.MapHttpFunction(PlansFunction, GetPlans)
            .AllowAnonymous()
            .WithSummary("The plan catalog (anonymous)")
            .WithDescription("Every plan with its intervals, trial and per-meter quotas and overage prices, for a pricing page.");

        var user = api.MapGroup(string.Empty)
            .RequireAuthorization(AuthenticationSetup.UserPolicy)
            .AddEndpointFilter(async (context, next) =>
            {
                context.HttpContext.Response.Headers.CacheControl = "no-store";
                return await next(context).ConfigureAwait(false);
            });

        user.MapHttpFunction(SubscriptionFunction, GetSubscriptionAsync)
            .WithSummary("The caller's plan, subscription, trial and usage")
            .WithDescription("Read only. A user who never bought anything gets the free plan; nothing is stored for them.")
            .ProducesCallerProblems();

        user.MapHttpFunction(CheckoutFunction, StartCheckoutAsync)
            .Accepts<CheckoutRequest>(JsonContentType)
            .WithSummary("Start a Stripe Checkout for a paid plan")
            .WithDescription("Creates the account's one Stripe customer on first need, then a subscription-mode Checkout Session for the plan's price "
                             + "(with the plan's trial when the account never had one). 409 while a subscription is live: use the portal.")
            .ProducesCallerProblems()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesBodyProblems()
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        user.MapHttpFunction(PortalFunction, OpenPortalAsync)
            .Accepts<PortalRequest>(JsonContentType)
            .WithSummary("Open the Stripe customer portal")
            .WithDescription("409 when the account has no Stripe customer yet (it never started a Checkout).")
            .ProducesCallerProblems()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesBodyProblems()
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        user.MapHttpFunction(TrialFunction, StartTrialAsync)
            .WithSummary("Start the free trial (once per account, ever)")
            .WithDescription("Body empty or {}. 409 when the account had a trial before (also after it ended or was cancelled) or has a live subscription.")
            .ProducesCallerProblems()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesBodyProblems()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        endpoints.MapOpenApi(HttpFunctionEndpoints.Http(endpoints, OpenApiFunction).Path!).AllowAnonymous();
        return endpoints;
    }

    private static Ok<PlansResponse> GetPlans(PlanCatalog catalog, HttpContext context)
    {
        context.Response.Headers.CacheControl = $"public, max-age={(int)PlansCacheLifetime.TotalSeconds}";
        return TypedResults.Ok(catalog.ToResponse());
    }

    private static async Task<Ok<SubscriptionResponse>> GetSubscriptionAsync(HttpContext context, SubscriptionOverview overview, CancellationToken cancellationToken)
    {
        var summary = await overview.GetAsync(CallerAccount.Of(context), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(summary.ToResponse());
    }

    private static async Task<Results<Ok<CheckoutResponse>, ValidationProblem, ProblemHttpResult>> StartCheckoutAsync(
        HttpContext context, CheckoutSessions checkout, CancellationToken cancellationToken)
    {
        var body = await StrictJsonBody.ReadAsync<CheckoutRequest>(context.Request, required: true, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } request)
        {
            return Unread<CheckoutRequest, CheckoutResponse>(body);
        }

        var outcome = await checkout.StartAsync(
            CallerAccount.Of(context),
            new StartCheckout { Plan = request.Plan, Interval = request.Interval, SuccessUrl = request.SuccessUrl, CancelUrl = request.CancelUrl },
            cancellationToken).ConfigureAwait(false);
        return Answer(outcome, ContractMapping.ToResponse);
    }

    private static async Task<Results<Ok<PortalResponse>, ValidationProblem, ProblemHttpResult>> OpenPortalAsync(
        HttpContext context, PortalSessions portal, CancellationToken cancellationToken)
    {
        var body = await StrictJsonBody.ReadAsync<PortalRequest>(context.Request, required: false, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } request)
        {
            return Unread<PortalRequest, PortalResponse>(body);
        }

        var outcome = await portal.OpenAsync(CallerAccount.Of(context), new OpenPortal { ReturnUrl = request.ReturnUrl }, cancellationToken).ConfigureAwait(false);
        return Answer(outcome, ContractMapping.ToResponse);
    }

    private static async Task<Results<Ok<TrialResponse>, ValidationProblem, ProblemHttpResult>> StartTrialAsync(
        HttpContext context, LocalTrials trials, CancellationToken cancellationToken)
    {
        var body = await StrictJsonBody.ReadAsync<EmptyRequest>(context.Request, required: false, cancellationToken).ConfigureAwait(false);
        if (body.Value is null)
        {
            return Unread<EmptyRequest, TrialResponse>(body);
        }

        var outcome = await trials.StartAsync(CallerAccount.Of(context), cancellationToken).ConfigureAwait(false);
        return Answer(outcome, ContractMapping.ToResponse);
    }

    private static Results<Ok<TResponse>, ValidationProblem, ProblemHttpResult> Answer<T, TResponse>(Outcome<T> outcome, Func<T, TResponse> toResponse) =>
        outcome switch
        {
            Succeeded<T> succeeded => TypedResults.Ok(toResponse(succeeded.Value)),
            Invalid<T> invalid => ApiProblems.Invalid(invalid.Errors),
            Refused<T> refused => ApiProblems.Refused(refused.Refusal),
            _ => throw new UnreachableException($"Unknown outcome {outcome.GetType().Name}."),
        };

    private static Results<Ok<TResponse>, ValidationProblem, ProblemHttpResult> Unread<TBody, TResponse>(StrictJsonBodyResult<TBody> body)
        where TBody : class =>
        body.ValidationFailure is { } invalid ? invalid : body.Failure ?? throw new UnreachableException("A body result without a value has a failure.");

    private static RouteHandlerBuilder ProducesCallerProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

    private static RouteHandlerBuilder ProducesBodyProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
}
