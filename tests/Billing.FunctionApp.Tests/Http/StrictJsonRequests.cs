using System.Text;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>Requests for <see cref="StrictJsonBody"/> and checks of its answers.</summary>
internal static class StrictJsonRequests
{
    /// <summary>Asserts a problem of <paramref name="status"/> and no value.</summary>
    public static ProblemHttpResult Problem<T>(StrictJsonBodyResult<T> result, int status)
        where T : class
    {
        Assert.Null(result.Value);
        var problem = Assert.IsType<ProblemHttpResult>(result.Problem);
        Assert.Equal(status, problem.StatusCode);
        return problem;
    }

    /// <summary>Asserts a 400 (invalid_request) whose errors are <see cref="StrictJsonBodyResult{T}.Errors"/>; the one message about <paramref name="field"/>.</summary>
    public static string FieldError<T>(StrictJsonBodyResult<T> result, string field)
        where T : class
    {
        var problem = Problem(result, StatusCodes.Status400BadRequest);
        Assert.Equal("invalid_request", problem.ProblemDetails.Extensions["code"]);
        var errors = Assert.IsType<HttpValidationProblemDetails>(problem.ProblemDetails).Errors;
        Assert.NotNull(result.Errors);
        Assert.Equal(errors.OrderBy(e => e.Key, StringComparer.Ordinal), result.Errors.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.True(errors.ContainsKey(field), $"No error about {field}: {string.Join(", ", errors.Keys)}");
        return Assert.Single(errors[field]);
    }

    public static Task<StrictJsonBodyResult<T>> ReadAsync<T>(string body, bool required = true, string? contentType = "application/json", bool announceLength = true, string? contentEncoding = null, int? maxBytes = null)
        where T : class, new() =>
        ReadAsync<T>(Encoding.UTF8.GetBytes(body), required, contentType, announceLength, contentEncoding, maxBytes);

    public static async Task<StrictJsonBodyResult<T>> ReadAsync<T>(byte[] bytes, bool required = true, string? contentType = "application/json", bool announceLength = true, string? contentEncoding = null, int? maxBytes = null)
        where T : class, new()
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentType = contentType;
        context.Request.ContentLength = announceLength ? bytes.Length : null;
        if (contentEncoding is not null)
        {
            context.Request.Headers.ContentEncoding = contentEncoding;
        }

        return maxBytes is { } limit
            ? await StrictJsonBody.ReadAsync<T>(context.Request, required, limit, CancellationToken.None)
            : await StrictJsonBody.ReadAsync<T>(context.Request, required, CancellationToken.None);
    }
}
