using System.Globalization;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Http;
using static Billing.FunctionApp.Tests.Http.StrictJsonRequests;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>Whole-number and timestamp members, and the per-call body limit.</summary>
public sealed class StrictJsonBodyValueTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("-0", 0L)]
    [InlineData("42", 42L)]
    [InlineData("-17", -17L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    public async Task A_long_member_takes_a_JSON_integer(string json, long expected)
    {
        var result = await ReadAsync<MeterReading>($$"""{"quantity":{{json}},"limit":{{json}}}""");

        Assert.Equal(expected, result.Value!.Quantity);
        Assert.Equal(expected, result.Value.Limit);
    }

    [Fact]
    public async Task Nullable_number_and_timestamp_members_take_null_or_may_be_left_out()
    {
        var nulls = await ReadAsync<MeterReading>("""{"quantity":1,"limit":null,"retries":null,"occurredAt":null}""");
        var absent = await ReadAsync<MeterReading>("""{"meterId":"m"}""");

        Assert.Equal(new MeterReading { Quantity = 1 }, nulls.Value);
        Assert.Equal(new MeterReading { MeterId = "m" }, absent.Value);
    }

    [Theory]
    [InlineData("quantity", "1.0")]
    [InlineData("quantity", "1.5")]
    [InlineData("quantity", "1e3")]
    [InlineData("quantity", "1E3")]
    [InlineData("quantity", "-2.0e0")]
    [InlineData("quantity", "\"5\"")]
    [InlineData("quantity", "true")]
    [InlineData("quantity", "[5]")]
    [InlineData("quantity", "{}")]
    [InlineData("quantity", "null")]
    [InlineData("quantity", "9223372036854775808")]
    [InlineData("quantity", "-9223372036854775809")]
    [InlineData("limit", "0.5")]
    [InlineData("limit", "\"\"")]
    [InlineData("retries", "2.5")]
    [InlineData("retries", "1e2")]
    public async Task Anything_but_a_JSON_integer_is_refused_naming_the_field(string field, string json)
    {
        var result = await ReadAsync<MeterReading>($$"""{"{{field}}":{{json}}}""");

        Assert.Equal(StrictJsonBody.WholeNumberMessage, FieldError(result, field));
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    public async Task An_int_member_refuses_integers_outside_its_range(string json)
    {
        var result = await ReadAsync<MeterReading>($$"""{"retries":{{json}}}""");

        Assert.Equal("Must be a whole number from -2147483648 to 2147483647.", FieldError(result, "retries"));
    }

    [Fact]
    public async Task An_int_member_takes_its_extremes()
    {
        var high = await ReadAsync<MeterReading>("""{"retries":2147483647}""");
        var low = await ReadAsync<MeterReading>("""{"retries":-2147483648}""");

        Assert.Equal(int.MaxValue, high.Value!.Retries);
        Assert.Equal(int.MinValue, low.Value!.Retries);
    }

    [Theory]
    [InlineData("2026-12-01T10:00:00Z")]
    [InlineData("2026-12-01T10:00:00.123+01:00")]
    [InlineData("2026-12-01T10:00:00-05:30")]
    [InlineData("2026-12-01T23:59:59.9999999+14:00")]
    [InlineData("2026-12-01T00:00:00-00:00")]
    [InlineData("2028-02-29T12:00:00.5Z")]
    public async Task A_timestamp_member_takes_RFC_3339_with_an_offset_as_the_same_instant(string text)
    {
        var result = await ReadAsync<MeterReading>($$"""{"occurredAt":"{{text}}"}""");

        var expected = DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture);
        var read = result.Value!.OccurredAt!.Value;
        Assert.Equal(expected.UtcTicks, read.UtcTicks);
        Assert.Equal(expected.Offset, read.Offset);
    }

    [Fact]
    public async Task A_timestamp_with_more_than_seven_fraction_digits_reads_to_the_tick()
    {
        var result = await ReadAsync<MeterReading>("""{"occurredAt":"2026-12-01T10:00:00.123456789Z"}""");

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_567), result.Value!.OccurredAt);
    }

    [Fact]
    public async Task An_escaped_timestamp_reads_like_the_plain_one()
    {
        var result = await ReadAsync<MeterReading>("""{"occurredAt":"2026-12-01T10:00:00\u005A"}""");

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), result.Value!.OccurredAt);
    }

    [Theory]
    [InlineData("\"2026-12-01T10:00:00\"")]
    [InlineData("\"2026-12-01T10:00:00.123\"")]
    [InlineData("\"2026-12-01\"")]
    [InlineData("\"10:00:00Z\"")]
    [InlineData("\"2026-12-01T10:00Z\"")]
    [InlineData("\"2026-12-01 10:00:00Z\"")]
    [InlineData("\"2026-12-01t10:00:00z\"")]
    [InlineData("\"2026-12-01T10:00:00+01\"")]
    [InlineData("\"2026-12-01T10:00:00+0100\"")]
    [InlineData("\"2026-12-01T10:00:00+15:00\"")]
    [InlineData("\"2026-12-01T10:00:00.Z\"")]
    [InlineData("\"2026-02-30T10:00:00Z\"")]
    [InlineData("\"2026-13-01T10:00:00Z\"")]
    [InlineData("\"2026-12-01T24:00:00Z\"")]
    [InlineData("\"2026-12-31T23:59:60Z\"")]
    [InlineData("\"9999-12-31T23:59:59-01:00\"")]
    [InlineData("\"0001-01-01T00:00:00+01:00\"")]
    [InlineData("\" 2026-12-01T10:00:00Z\"")]
    [InlineData("\"2026-12-01T10:00:00Z\\n\"")]
    [InlineData("\"\u0662\u0660\u0662\u0666-12-01T10:00:00Z\"")]
    [InlineData("\"Tue, 01 Dec 2026 10:00:00 GMT\"")]
    [InlineData("\"tomorrow\"")]
    [InlineData("\"\"")]
    [InlineData("\"\\ud800\"")]
    [InlineData("1796119200")]
    [InlineData("true")]
    [InlineData("[\"2026-12-01T10:00:00Z\"]")]
    public async Task Anything_else_is_refused_as_a_timestamp_naming_the_field(string json)
    {
        var result = await ReadAsync<MeterReading>($$"""{"occurredAt":{{json}}}""");

        Assert.Equal(StrictJsonBody.TimestampMessage, FieldError(result, "occurredAt"));
    }

    [Fact]
    public async Task A_non_nullable_timestamp_refuses_null()
    {
        var result = await ReadAsync<Window>("""{"start":null}""");

        Assert.Equal(StrictJsonBody.TimestampMessage, FieldError(result, "start"));
    }

    [Fact]
    public async Task A_capped_string_array_refuses_more_items()
    {
        var two = await ReadAsync<Window>("""{"start":"2026-12-01T10:00:00Z","labels":["a","b"]}""");
        var three = await ReadAsync<Window>("""{"start":"2026-12-01T10:00:00Z","labels":["a","b","c"]}""");

        Assert.Equal(["a", "b"], two.Value!.Labels);
        Assert.Equal("At most 2 items.", FieldError(three, "labels"));
    }

    [Fact]
    public async Task Every_bad_member_is_named_at_once()
    {
        var result = await ReadAsync<MeterReading>("""{"quantity":1.5,"occurredAt":"2026-12-01T10:00:00","accountId":"x"}""");

        Assert.Equal(StrictJsonBody.WholeNumberMessage, FieldError(result, "quantity"));
        Assert.Equal(StrictJsonBody.TimestampMessage, FieldError(result, "occurredAt"));
        Assert.StartsWith("Unknown field", FieldError(result, "accountId"), StringComparison.Ordinal);
        Assert.Equal(3, result.Errors!.Count);
    }

    [Fact]
    public async Task A_body_between_the_default_and_a_raised_limit_is_read_only_with_the_raised_limit()
    {
        var body = $$"""{"plan":"{{new string('x', 40 * 1024)}}"}""";

        var raised = await ReadAsync<CheckoutRequest>(body, maxBytes: StrictJsonBody.BatchMaxBytes);
        var raisedStreamed = await ReadAsync<CheckoutRequest>(body, announceLength: false, maxBytes: StrictJsonBody.BatchMaxBytes);
        var byDefault = await ReadAsync<CheckoutRequest>(body);

        Assert.Equal(40 * 1024, raised.Value!.Plan!.Length);
        Assert.NotNull(raisedStreamed.Value);
        Assert.Contains("16384 bytes", Problem(byDefault, StatusCodes.Status413PayloadTooLarge).ProblemDetails.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_a_raised_limit_is_413_naming_that_limit(bool announceLength)
    {
        var body = $$"""{"plan":"{{new string('x', StrictJsonBody.BatchMaxBytes)}}"}""";

        var result = await ReadAsync<CheckoutRequest>(body, announceLength: announceLength, maxBytes: StrictJsonBody.BatchMaxBytes);

        var problem = Problem(result, StatusCodes.Status413PayloadTooLarge);
        Assert.Equal($"The body must be at most {StrictJsonBody.BatchMaxBytes} bytes.", problem.ProblemDetails.Detail);
        Assert.Equal("payload_too_large", problem.ProblemDetails.Extensions["code"]);
    }

    [Fact]
    public async Task A_body_of_exactly_the_limit_is_read()
    {
        var prefix = """{"plan":""";
        var body = $$"""{{prefix}}"{{new string('x', 1000 - prefix.Length - 3)}}"}""";

        var result = await ReadAsync<CheckoutRequest>(body, maxBytes: 1000);

        Assert.Equal(1000, System.Text.Encoding.UTF8.GetByteCount(body));
        Assert.NotNull(result.Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task A_limit_that_is_not_positive_is_a_programming_error(int maxBytes)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ReadAsync<CheckoutRequest>("{}", maxBytes: maxBytes));
    }
}
