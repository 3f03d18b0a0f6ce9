using System.Text;
using System.Text.Json;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Http;
using static Billing.FunctionApp.Tests.Http.StrictJsonRequests;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>Array-of-elements members and <see cref="StrictJsonBody.ReadElement{T}"/>: each record of a batch has its own outcome.</summary>
public sealed class StrictJsonBodyBatchTests
{
    [Fact]
    public async Task An_element_array_member_hands_over_any_items_raw()
    {
        var result = await ReadAsync<UsageBatch>("""{"records":[{"idempotencyKey":"a"},42,"x",null,[1,{"deep":[true]}],{"unknown":1}]}""");

        var records = result.Value!.Records!;
        Assert.Equal(6, records.Count);
        Assert.Equal(JsonValueKind.Object, records[0].ValueKind);
        Assert.Equal(JsonValueKind.Null, records[3].ValueKind);
        Assert.Equal("""[1,{"deep":[true]}]""", records[4].GetRawText());
    }

    [Fact]
    public async Task A_plain_element_array_member_is_read_too()
    {
        var result = await ReadAsync<UncappedBatch>("""{"records":[{"idempotencyKey":"a"},{"idempotencyKey":"b"}]}""");

        Assert.Equal(["a", "b"], result.Value!.Records!.Select(r => r.GetProperty("idempotencyKey").GetString()));
    }

    [Theory]
    [InlineData("""{"records":{}}""")]
    [InlineData("""{"records":"[]"}""")]
    [InlineData("""{"records":1}""")]
    public async Task An_element_array_member_must_be_an_array(string json)
    {
        Assert.Equal("Must be an array.", FieldError(await ReadAsync<UsageBatch>(json), "records"));
    }

    [Fact]
    public async Task An_empty_or_null_batch_is_read_and_left_to_the_function()
    {
        var empty = await ReadAsync<UsageBatch>("""{"records":[]}""");
        var none = await ReadAsync<UsageBatch>("""{"records":null}""");

        Assert.Empty(empty.Value!.Records!);
        Assert.Null(none.Value!.Records);
    }

    [Fact]
    public async Task The_batch_members_are_checked_like_any_body()
    {
        var unknown = await ReadAsync<UsageBatch>("""{"records":[],"accountId":"x"}""");
        var twice = await ReadAsync<UsageBatch>("""{"records":[],"records":[]}""");

        Assert.StartsWith("Unknown field. Accepted: records.", FieldError(unknown, "accountId"), StringComparison.Ordinal);
        Assert.Equal("The field appears more than once.", FieldError(twice, "records"));
    }

    [Fact]
    public async Task A_capped_batch_takes_up_to_its_maximum_items()
    {
        var full = await ReadAsync<UsageBatch>(Batch(100), maxBytes: StrictJsonBody.BatchMaxBytes);
        var over = await ReadAsync<UsageBatch>(Batch(101), maxBytes: StrictJsonBody.BatchMaxBytes);

        Assert.Equal(100, full.Value!.Records!.Count);
        Assert.Equal("At most 100 items.", FieldError(over, "records"));
    }

    [Fact]
    public async Task A_batch_of_100_full_records_needs_the_raised_limit()
    {
        var batch = Batch(100, tags: 6);

        var raised = await ReadAsync<UsageBatch>(batch, maxBytes: StrictJsonBody.BatchMaxBytes);
        var byDefault = await ReadAsync<UsageBatch>(batch);

        Assert.InRange(Encoding.UTF8.GetByteCount(batch), StrictJsonBody.MaxBytes + 1, StrictJsonBody.BatchMaxBytes);
        Assert.All(raised.Value!.Records!, r => Assert.NotNull(StrictJsonBody.ReadElement<UsageRecord>(r).Value));
        Problem(byDefault, StatusCodes.Status413PayloadTooLarge);
    }

    [Fact]
    public async Task A_batch_of_100_records_with_every_field_at_its_longest_fits_as_dotnet_serializes_it()
    {
        var record = new Metering.UsageRecordBody
        {
            AccountId = new string('é', Domain.Accounts.AccountId.MaxLength), // escaped \u00E9 by default: 6 bytes a character
            Meter = "m" + new string('x', 63),
            Quantity = 1_000_000_000_000,
            IdempotencyKey = new string('k', 255),
            OccurredAt = new DateTimeOffset(2026, 12, 1, 23, 59, 59, 999, TimeSpan.FromHours(-9.5)),
        };
        var body = JsonSerializer.Serialize(new { records = Enumerable.Repeat(record, 100) }, new JsonSerializerOptions(JsonSerializerDefaults.Web));

        var result = await ReadAsync<Metering.UsageBatchBody>(body, maxBytes: StrictJsonBody.BatchMaxBytes);

        Assert.True(Encoding.UTF8.GetByteCount(body) > 64 * 1024, "the batch is larger than the old limit");
        Assert.Null(result.Problem);
        Assert.All(result.Value!.Records!, r => Assert.Equal(record.AccountId, StrictJsonBody.ReadElement<Metering.UsageRecordBody>(r).Value!.AccountId));
    }

    [Fact]
    public void A_valid_element_reads_as_its_contract()
    {
        var result = StrictJsonBody.ReadElement<UsageRecord>(Element("""{"idempotencyKey":"k1","quantity":3,"occurredAt":"2026-12-01T10:00:00.123+01:00","tags":["a"]}"""));

        Assert.Null(result.Problem);
        Assert.Null(result.Errors);
        var record = result.Value!;
        Assert.Equal("k1", record.IdempotencyKey);
        Assert.Equal(3, record.Quantity);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 9, 0, 0, 123, TimeSpan.Zero), record.OccurredAt);
        Assert.Equal(TimeSpan.FromHours(1), record.OccurredAt!.Value.Offset);
        Assert.Equal(["a"], record.Tags);
    }

    [Theory]
    [InlineData("""{"idempotencyKey":"k","accountId":"someone-else"}""", "accountId", "Unknown field. Accepted: idempotencyKey, quantity, occurredAt, tags.")]
    [InlineData("""{"idempotencyKey":"k","IdempotencyKey":"k"}""", "IdempotencyKey", "Unknown field. Accepted: idempotencyKey, quantity, occurredAt, tags.")]
    [InlineData("""{"idempotencyKey":"k","quantity":1,"quantity":2}""", "quantity", "The field appears more than once.")]
    [InlineData("""{"idempotencyKey":"k","idempotencyKey":"k"}""", "idempotencyKey", "The field appears more than once.")]
    [InlineData("""{"idempotencyKey":"k","quantity":1.5}""", "quantity", "Must be a whole number.")]
    [InlineData("""{"idempotencyKey":"k","quantity":"5"}""", "quantity", "Must be a whole number.")]
    [InlineData("""{"idempotencyKey":"k","occurredAt":"2026-12-01T10:00:00"}""", "occurredAt", "Must be an RFC 3339 timestamp with an offset, e.g. 2026-12-01T10:00:00Z.")]
    [InlineData("""{"idempotencyKey":"k","tags":[1]}""", "tags", "Must be an array of strings.")]
    [InlineData("""{"idempotencyKey":7}""", "idempotencyKey", "Must be a string.")]
    [InlineData("""{"idempotencyKey":"\ud800"}""", "idempotencyKey", "Must be valid Unicode text.")]
    [InlineData("""{"quantity":1}""", "idempotencyKey", "The field is required.")]
    [InlineData("""{}""", "idempotencyKey", "The field is required.")]
    [InlineData("""42""", "$", "Must be a JSON object.")]
    [InlineData("""null""", "$", "Must be a JSON object.")]
    [InlineData("""[{"idempotencyKey":"k"}]""", "$", "Must be a JSON object.")]
    public void A_bad_element_is_a_400_naming_its_field(string json, string field, string message)
    {
        var result = StrictJsonBody.ReadElement<UsageRecord>(Element(json));

        Assert.Equal(message, FieldError(result, field));
    }

    [Fact]
    public void An_undefined_element_is_refused_not_thrown()
    {
        var result = StrictJsonBody.ReadElement<UsageRecord>(default);

        Assert.Equal("Must be a JSON object.", FieldError(result, StrictJsonBody.BodyField));
    }

    [Fact]
    public async Task One_bad_record_does_not_sink_the_others()
    {
        var body = await ReadAsync<UsageBatch>("""
            {"records":[
              {"idempotencyKey":"a","quantity":1},
              {"idempotencyKey":"b","quantity":1.5,"accountId":"x"},
              {"idempotencyKey":"c","quantity":3,"occurredAt":"2026-12-01T10:00:00Z"},
              "not a record"
            ]}
            """);

        var outcomes = body.Value!.Records!.Select(StrictJsonBody.ReadElement<UsageRecord>).ToList();

        Assert.Equal("a", outcomes[0].Value!.IdempotencyKey);
        Assert.Equal(["accountId", "quantity"], outcomes[1].Errors!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, outcomes[2].Value!.Quantity);
        Assert.Equal("Must be a JSON object.", FieldError(outcomes[3], "$"));
    }

    [Fact]
    public async Task Invalid_UTF8_inside_a_record_fails_that_record_only()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"records":[{"idempotencyKey":"a"},{"idempotencyKey":"b""")
            .Concat(new byte[] { 0xC3, 0x28, 0xFF })
            .Concat(Encoding.UTF8.GetBytes("\"}]}"))
            .ToArray();

        var body = await ReadAsync<UsageBatch>(bytes);

        var records = body.Value!.Records!;
        Assert.NotNull(StrictJsonBody.ReadElement<UsageRecord>(records[0]).Value);
        Assert.Equal("Must be valid Unicode text.", FieldError(StrictJsonBody.ReadElement<UsageRecord>(records[1]), "idempotencyKey"));
    }

    [Fact]
    public async Task Records_nested_three_deep_are_within_the_depth_limit_and_deeper_nesting_is_not()
    {
        var nested = await ReadAsync<UsageBatch>("""{"records":[{"idempotencyKey":"a","tags":["x"]}]}""");
        var tooDeep = await ReadAsync<UsageBatch>("""{"records":[[[[[[[[1]]]]]]]]}""");

        Assert.Equal(["x"], StrictJsonBody.ReadElement<UsageRecord>(Assert.Single(nested.Value!.Records!)).Value!.Tags);
        Assert.Equal("The body is not valid JSON.", FieldError(tooDeep, "$"));
    }

    private static JsonElement Element(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    private static string Batch(int count, int tags = 0)
    {
        var tagList = string.Join(",", Enumerable.Range(0, tags).Select(t => $"\"tag-{t:D20}\""));
        var records = Enumerable.Range(0, count).Select(i => $$"""{"idempotencyKey":"rec-{{i:D6}}-{{Guid.Empty}}","quantity":{{i}},"occurredAt":"2026-12-01T10:00:00.123+01:00","tags":[{{tagList}}]}""");
        return $$"""{"records":[{{string.Join(",", records)}}]}""";
    }
}
