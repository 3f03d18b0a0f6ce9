using System.Text;
using Billing.FunctionApp.Functions.BillingApi.Contracts;
using Billing.FunctionApp.Functions.BillingApi.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.FunctionApp.Tests.BillingApi;

public sealed class StrictJsonBodyTests
{
    [Fact]
    public async Task A_body_with_the_contracts_fields_is_read()
    {
        var result = await ReadAsync<CheckoutRequest>("""{"plan":"PRO","interval":"month","successUrl":null}""");

        Assert.Equal(new CheckoutRequest { Plan = "PRO", Interval = "month" }, result.Value);
    }

    [Theory]
    [InlineData("""{"plan":"PRO","accountId":"someone-else"}""", "accountId", "Unknown field")]
    [InlineData("""{"Plan":"PRO"}""", "Plan", "Unknown field")]
    [InlineData("""{"plan":"PRO","plan":"BASIC"}""", "plan", "more than once")]
    [InlineData("""{"plan":["PRO"]}""", "plan", "Must be a string")]
    [InlineData("""{"interval":true}""", "interval", "Must be a string")]
    [InlineData("""{"plan":"PRO",}""", "$", "not valid JSON")]
    [InlineData("""{"plan":"PRO"} trailing""", "$", "not valid JSON")]
    [InlineData("""/* comment */ {"plan":"PRO"}""", "$", "not valid JSON")]
    [InlineData("null", "$", "JSON object")]
    [InlineData("\"PRO\"", "$", "JSON object")]
    public async Task Anything_else_is_a_validation_problem_naming_the_field(string json, string field, string message)
    {
        var result = await ReadAsync<CheckoutRequest>(json);

        Assert.Null(result.Value);
        var problem = Assert.IsType<ValidationProblem>(result.ValidationFailure);
        Assert.Equal(400, problem.StatusCode);
        Assert.Contains(message, Assert.Single(problem.ProblemDetails.Errors[field]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_body_is_an_error_when_required_and_an_empty_object_otherwise()
    {
        var required = await ReadAsync<CheckoutRequest>("  ", required: true);
        var optional = await ReadAsync<PortalRequest>("", required: false);
        var noFields = await ReadAsync<EmptyRequest>("{}", required: false);
        var anyField = await ReadAsync<EmptyRequest>("""{"accountId":"x"}""", required: false);

        Assert.Contains("$", required.ValidationFailure!.ProblemDetails.Errors.Keys);
        Assert.Equal(new PortalRequest(), optional.Value);
        Assert.NotNull(noFields.Value);
        Assert.Contains("accountId", anyField.ValidationFailure!.ProblemDetails.Errors.Keys);
    }

    [Fact]
    public async Task A_non_json_content_type_is_415()
    {
        var result = await ReadAsync<CheckoutRequest>("plan=PRO", contentType: "application/x-www-form-urlencoded");

        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, result.Failure!.StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_whether_announced_or_streamed()
    {
        var big = $$"""{"plan":"{{new string('x', StrictJsonBody.MaxBytes)}}"}""";

        var announced = await ReadAsync<CheckoutRequest>(big);
        var streamed = await ReadAsync<CheckoutRequest>(big, announceLength: false);

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, announced.Failure!.StatusCode);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, streamed.Failure!.StatusCode);
    }

    private static async Task<StrictJsonBodyResult<T>> ReadAsync<T>(string body, bool required = true, string contentType = "application/json", bool announceLength = true)
        where T : class, new()
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentType = contentType;
        context.Request.ContentLength = announceLength ? bytes.Length : null;
        return await StrictJsonBody.ReadAsync<T>(context.Request, required, CancellationToken.None);
    }
}
