using System.Text;
using Billing.Infrastructure.StripeApi.Webhooks;

namespace Billing.Infrastructure.Tests.StripeApi.Webhooks;

public sealed class StripeEventEnvelopeTests
{
    [Fact]
    public void Reads_the_top_level_fields_and_passes_over_data_and_unknown_fields()
    {
        const string body = """
            {"id":"evt_1","object":"event","api_version":"2026-07-29.dahlia","created":1750000000,"livemode":true,
             "future":{"a":[1,{"b":null}]},"type":"invoice.paid","data":{"object":{"id":"in_1","object":"invoice","lines":{"data":[]}}},"pending_webhooks":1}
            """;

        Assert.True(StripeEventEnvelope.TryParse(Encoding.UTF8.GetBytes(body), out var envelope));

        Assert.Equal("evt_1", envelope.Id);
        Assert.Equal("invoice.paid", envelope.Type);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_750_000_000), envelope.Created);
        Assert.True(envelope.Livemode);
        Assert.Equal("2026-07-29.dahlia", envelope.ApiVersion);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1750000000,"data":{}""")] // truncated
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1750000000,"data":{"object":{"a":[1,""")] // truncated inside data
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1750000000,"data":{}} {}""")] // trailing value
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1750000000,"data":{}} x""")] // trailing garbage
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1750000000,"data":{}]""")] // closed as an array
    [InlineData("{\"id\"")] // ends after a member name
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1750000000}""")] // no data
    [InlineData("""{"type":"invoice.paid","created":1750000000,"data":{}}""")] // no id
    [InlineData("""{"id":"evt_1","created":1750000000,"data":{}}""")] // no type
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":"yesterday","data":{}}""")]
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1750000000,"data":[]}""")]
    [InlineData("""{"id":"evt_1","object":"invoice","type":"invoice.paid","created":1750000000,"data":{}}""")]
    [InlineData("""{"id":7,"type":"invoice.paid","created":1750000000,"data":{}}""")]
    [InlineData("""{"id":"in_1","type":"invoice.paid","created":1750000000,"data":{}}""")] // not an event id
    [InlineData("""{"id":"evt_","type":"invoice.paid","created":1750000000,"data":{}}""")] // only the prefix
    [InlineData("""{"id":"evt_a/b","type":"invoice.paid","created":1750000000,"data":{}}""")] // not a Stripe id
    public void Refuses_what_is_not_one_event_object(string body)
    {
        Assert.False(StripeEventEnvelope.TryParse(Encoding.UTF8.GetBytes(body), out var envelope));
        Assert.Null(envelope);
    }

    [Theory]
    [InlineData("""{"id":"evt_A","id":"evt_B","type":"invoice.paid","created":1750000000,"data":{}}""")]
    [InlineData("""{"id":"evt_A","type":"invoice.paid","created":1750000000,"data":{},"\u0069d":"evt_B"}""")] // escaped name
    [InlineData("""{"id":"evt_1","object":"event","object":"event","type":"invoice.paid","created":1750000000,"data":{}}""")]
    [InlineData("""{"id":"evt_1","type":"invoice.paid","type":"invoice.paid","created":1750000000,"data":{}}""")]
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1750000000,"created":1750000001,"data":{}}""")]
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1750000000,"livemode":false,"livemode":true,"data":{}}""")]
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1750000000,"api_version":"a","api_version":"b","data":{}}""")]
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1750000000,"data":{},"data":{}}""")]
    public void Refuses_a_repeated_envelope_member(string body)
    {
        Assert.False(StripeEventEnvelope.TryParse(Encoding.UTF8.GetBytes(body), out var envelope));
        Assert.Null(envelope);
    }

    /// <summary>
    /// The reader checks a \u escape's four hex digits but not that a surrogate is paired: unescaping one alone (a string
    /// the envelope reads, or a top-level member name it compares) throws InvalidOperationException, not JsonException.
    /// </summary>
    [Theory]
    [InlineData("""{"id":"evt_\uD800","type":"invoice.paid","created":1750000000,"data":{}}""")]
    [InlineData("""{"id":"evt_1","type":"invoice.paid\uDC00","created":1750000000,"data":{}}""")]
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1750000000,"api_version":"\uD800a","data":{}}""")]
    [InlineData("""{"id":"evt_1","object":"\uD800","type":"invoice.paid","created":1750000000,"data":{}}""")]
    [InlineData("""{"\uD800":1,"id":"evt_1","type":"invoice.paid","created":1750000000,"data":{}}""")]
    public void Refuses_an_escaped_lone_surrogate_in_what_it_reads(string body)
    {
        Assert.False(StripeEventEnvelope.TryParse(Encoding.UTF8.GetBytes(body), out var envelope));
        Assert.Null(envelope);
    }

    /// <summary>
    /// Stripe never sends invalid UTF-16; a lone surrogate escaped inside <c>data</c> (or any member the envelope passes
    /// over) can only come from a broken or forged sender holding the secret, and it would be stored to fail when
    /// processing reads the object. Refused like one the envelope reads; a pair, escaped or raw, is text.
    /// </summary>
    [Theory]
    [InlineData("""{"id":"evt_1","type":"customer.created","created":1750000000,"data":{"object":{"id":"cus_\uD800"}}}""")]
    [InlineData("""{"id":"evt_1","type":"customer.created","created":1750000000,"data":{"object":{"metadata":{"note":["a","\uDC00b"]}}}}""")]
    [InlineData("""{"id":"evt_1","type":"customer.created","created":1750000000,"data":{"object":{"\uD800x":1}}}""")]
    [InlineData("""{"id":"evt_1","type":"customer.created","created":1750000000,"data":{},"request":{"idempotency_key":"\uD83D"}}""")]
    public void Refuses_an_escaped_lone_surrogate_anywhere_in_the_body(string body)
    {
        Assert.False(StripeEventEnvelope.TryParse(Encoding.UTF8.GetBytes(body), out var envelope));
        Assert.Null(envelope);
    }

    [Fact]
    public void Reads_an_escaped_surrogate_pair_inside_data()
    {
        const string body = """{"id":"evt_1","type":"customer.created","created":1750000000,"data":{"object":{"name":"\uD83D\uDE00 \u00e9 \"q\"","\u0069d":"cus_1"}}}""";

        Assert.True(StripeEventEnvelope.TryParse(Encoding.UTF8.GetBytes(body), out var envelope));
        Assert.Equal("evt_1", envelope.Id);
    }

    [Fact]
    public void Reads_an_escaped_member_name_as_the_member()
    {
        const string body = """{"\u0069d":"evt_1","type":"invoice.paid","created":1750000000,"data":{}}""";

        Assert.True(StripeEventEnvelope.TryParse(Encoding.UTF8.GetBytes(body), out var envelope));
        Assert.Equal("evt_1", envelope.Id);
    }

    [Fact]
    public void Refuses_invalid_utf8()
    {
        var body = Encoding.UTF8.GetBytes("""{"id":"evt_1","type":"invoice.paid","created":1750000000,"data":{"x":"??"}}""");
        var at = Array.IndexOf(body, (byte)'?');
        body[at] = 0xC3;
        body[at + 1] = 0x28; // not a continuation byte

        Assert.False(StripeEventEnvelope.TryParse(body, out _));
    }
}
