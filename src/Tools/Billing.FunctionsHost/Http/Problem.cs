using Microsoft.AspNetCore.Mvc;

namespace Billing.FunctionsHost.Http;

/// <summary>Host-generated error responses as application/problem+json.</summary>
internal static class Problem
{
    public static Task WriteAsync(HttpContext context, int status, string title, string? detail = null)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        return context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
    }
}
