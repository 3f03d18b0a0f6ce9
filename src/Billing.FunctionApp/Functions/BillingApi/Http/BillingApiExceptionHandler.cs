using Billing.Application.Accounts;
using Billing.Application.Payments;
using Microsoft.AspNetCore.Diagnostics;

namespace Billing.FunctionApp.Functions.BillingApi.Http;

/// <summary>
/// Failures a caller can act on, as problem details: Stripe unreachable or refusing (502, or 503 with Retry-After when
/// trying again may help) and an account update that kept losing to concurrent writers (503). Others stay 500.
/// </summary>
internal sealed partial class BillingApiExceptionHandler(IProblemDetailsService problems, ILogger<BillingApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        (int Status, string Title, string Detail)? answer = exception switch
        {
            PaymentProviderException { IsTransient: true } => (StatusCodes.Status503ServiceUnavailable, "Payment provider unavailable", "Stripe could not be reached; try again shortly."),
            PaymentProviderException => (StatusCodes.Status502BadGateway, "Payment provider error", "Stripe refused the request."),
            AccountUpdateConflictException => (StatusCodes.Status503ServiceUnavailable, "Busy", "The account is being changed by other requests; try again shortly."),
            _ => null,
        };
        if (answer is not { } problem)
        {
            return false;
        }

        LogHandled(exception.GetType().Name, exception.Message, problem.Status);
        httpContext.Response.StatusCode = problem.Status;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "2";
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = problem.Status, Title = problem.Title, Detail = problem.Detail },
        }).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ExceptionType}: {Reason}; answered {Status}")]
    private partial void LogHandled(string exceptionType, string reason, int status);
}
