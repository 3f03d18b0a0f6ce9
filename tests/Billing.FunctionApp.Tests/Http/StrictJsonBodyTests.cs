using System.Text;
using Billing.FunctionApp.Admin;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using static Billing.FunctionApp.Tests.Http.StrictJsonRequests;

namespace Billing.FunctionApp.Tests.Http;

public sealed class StrictJsonBodyTests
{
    [Fact]
    public async Task A_body_with_the_contracts_fields_is_read()
    {
        var result = await ReadAsync<CheckoutRequest>("""{"plan":"PRO","interval":"month","successUrl":null}""");

        Assert.Equal(new CheckoutRequest { Plan = "PRO", Interval = "month" }, result.Value);
    }

    [Fact]
    public async Task Boolean_and_string_array_members_are_read_with_their_types()
    {
        var ids = await ReadAsync<PoisonReplayRequest>("""{"eventIds":["evt_1","evt_2"]}""");
        var runs = await ReadAsync<PoisonReplayRequest>("""{"runIds":["user-42:month-2026-11"]}""");
        var all = await ReadAsync<PoisonReplayRequest>("""{"all":true}""");

        Assert.Equal(["evt_1", "evt_2"], ids.Value!.EventIds);
        Assert.Equal(["user-42:month-2026-11"], runs.Value!.RunIds);
        Assert.True(all.Value!.All);
    }

    [Theory]
    [InlineData("""{"plan":"PRO","accountId":"someone-else"}""", "accountId", "Unknown field")]
    [InlineData("""{"Plan":"PRO"}""", "Plan", "Unknown field")]
    [InlineData("""{"plan":"PRO","plan":"BASIC"}""", "plan", "more than once")]
    [InlineData("""{"plan":["PRO"]}""", "plan", "Must be a string")]
    [InlineData("""{"interval":true}""", "interval", "Must be a string")]
    [InlineData("""{"plan":"\ud800"}""", "plan", "valid Unicode")]
    [InlineData("""{"plan":"PRO\udfff"}""", "plan", "valid Unicode")]
    [InlineData("""{"plan":"PRO",}""", "$", "not valid JSON")]
    [InlineData("""{"plan":"PRO"} trailing""", "$", "not valid JSON")]
    [InlineData("""{"plan":"PR""", "$", "not valid JSON")]
    [InlineData("""/* comment */ {"plan":"PRO"}""", "$", "not valid JSON")]
    [InlineData("null", "$", "JSON object")]
    [InlineData("[]", "$", "JSON object")]
    [InlineData("\"PRO\"", "$", "JSON object")]
    public async Task Anything_else_is_a_400_naming_the_field(string json, string field, string message)
    {
        var result = await ReadAsync<CheckoutRequest>(json);

        var problem = Problem(result, StatusCodes.Status400BadRequest);
        var errors = Assert.IsType<HttpValidationProblemDetails>(problem.ProblemDetails).Errors;
        Assert.Contains(message, Assert.Single(errors[field]), StringComparison.Ordinal);
        Assert.Equal("invalid_request", problem.ProblemDetails.Extensions["code"]);
    }

    [Fact]
    public async Task Unknown_fields_are_named_ten_at_a_time_so_the_answer_never_grows_with_the_body()
    {
        var json = "{" + string.Join(",", Enumerable.Range(0, 500).Select(i => $"\"f{i}\":1")) + "}";

        var errors = Assert.IsType<HttpValidationProblemDetails>(Problem(await ReadAsync<CheckoutRequest>(json), StatusCodes.Status400BadRequest).ProblemDetails).Errors;

        Assert.Equal(11, errors.Count);
        Assert.Equal("490 more unknown field(s).", Assert.Single(errors["$"]));
    }

    [Theory]
    [InlineData("""{"all":"yes"}""", "all", "true or false")]
    [InlineData("""{"eventIds":"evt_1"}""", "eventIds", "array of strings")]
    [InlineData("""{"eventIds":[1,2]}""", "eventIds", "array of strings")]
    public async Task Wrongly_typed_members_of_other_contracts_are_400(string json, string field, string message)
    {
        var problem = Problem(await ReadAsync<PoisonReplayRequest>(json), StatusCodes.Status400BadRequest);

        Assert.Contains(message, Assert.Single(Assert.IsType<HttpValidationProblemDetails>(problem.ProblemDetails).Errors[field]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_UTF8_in_a_string_is_a_400_not_a_failure()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"plan":"PRO","interval":"mo""").Concat(new byte[] { 0xC3, 0x28, 0xFF }).Concat(Encoding.UTF8.GetBytes("\"}")).ToArray();

        var result = await ReadAsync<CheckoutRequest>(bytes);

        Problem(result, StatusCodes.Status400BadRequest);
    }

    [Fact]
    public async Task An_empty_body_is_an_error_when_required_and_an_empty_object_otherwise()
    {
        var required = await ReadAsync<CheckoutRequest>("  ", required: true);
        var optional = await ReadAsync<PortalRequest>("", required: false);
        var noFields = await ReadAsync<EmptyRequest>("{}", required: false);
        var anyField = await ReadAsync<EmptyRequest>("""{"accountId":"x"}""", required: false);

        Problem(required, StatusCodes.Status400BadRequest);
        Assert.Equal(new PortalRequest(), optional.Value);
        Assert.NotNull(noFields.Value);
        Problem(anyField, StatusCodes.Status400BadRequest);
        Assert.Equal("Unknown field: this request takes no fields (send no body, or {}).", FieldError(anyField, "accountId"));
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", null)]
    [InlineData("text/plain", null)]
    [InlineData("application/json; charset=iso-8859-1", null)]
    [InlineData("application/json; charset=utf-16", null)]
    [InlineData("application/json; charset=\"utf-16\"", null)]
    [InlineData("application/json", "gzip")]
    [InlineData("application/json", "br")]
    [InlineData(null, null)]
    public async Task Another_media_type_charset_or_any_content_encoding_is_415(string? contentType, string? encoding)
    {
        var result = await ReadAsync<CheckoutRequest>("""{"plan":"PRO","interval":"month"}""", contentType: contentType, contentEncoding: encoding);

        Assert.Equal("unsupported_media_type", Problem(result, StatusCodes.Status415UnsupportedMediaType).ProblemDetails.Extensions["code"]);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json;charset=\"UTF-8\"")]
    [InlineData("application/merge-patch+json")]
    public async Task Json_media_types_in_UTF8_are_accepted(string contentType)
    {
        var result = await ReadAsync<CheckoutRequest>("""{"plan":"PRO","interval":"month"}""", contentType: contentType);

        Assert.NotNull(result.Value);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_whether_announced_or_streamed()
    {
        var big = $$"""{"plan":"{{new string('x', StrictJsonBody.MaxBytes)}}"}""";

        var announced = await ReadAsync<CheckoutRequest>(big);
        var streamed = await ReadAsync<CheckoutRequest>(big, announceLength: false);

        Problem(announced, StatusCodes.Status413PayloadTooLarge);
        Problem(streamed, StatusCodes.Status413PayloadTooLarge);
    }
}
