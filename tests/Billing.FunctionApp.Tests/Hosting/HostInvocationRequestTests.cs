using System.Text;
using Billing.FunctionApp.Hosting.CustomHandler;

namespace Billing.FunctionApp.Tests.Hosting;

public sealed class HostInvocationRequestTests
{
    [Fact]
    public void Reads_a_queue_message_the_host_encoded_twice()
    {
        const string payload = """
            {"Data":{"msg":"\"{\\\"eventId\\\":\\\"evt_1\\\"}\""},
             "Metadata":{"DequeueCount":"2","Id":"\"5f1c0a3e-0000\"","InsertionTime":"\"2026-11-21T10:00:00+00:00\"",
                         "sys":{"MethodName":"ProcessStripeEvent","UtcNow":"2026-11-21T10:00:01Z","RandGuid":"x"}}}
            """;

        var request = HostInvocationRequest.Parse(Encoding.UTF8.GetBytes(payload));

        Assert.Equal("""{"eventId":"evt_1"}""", request.GetDataText("msg"));
        Assert.Equal(2, request.GetMetadataInt64("DequeueCount"));
        Assert.Equal("5f1c0a3e-0000", request.GetMetadataText("Id"));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), request.GetMetadataTime("InsertionTime"));
    }

    [Fact]
    public void Reads_the_single_encoding_of_the_documentation_samples()
    {
        const string payload = """{"Data":{"msg":"{\"eventId\":\"evt_1\"}"},"Metadata":{"DequeueCount":1}}""";

        var request = HostInvocationRequest.Parse(Encoding.UTF8.GetBytes(payload));

        Assert.Equal("""{"eventId":"evt_1"}""", request.GetDataText("msg"));
        Assert.Equal(1, request.GetMetadataInt64("DequeueCount"));
    }

    [Fact]
    public void Reads_a_message_given_as_a_json_object()
    {
        var request = HostInvocationRequest.Parse("""{"Data":{"msg":{"eventId":"evt_1"}}}"""u8);

        Assert.Equal("""{"eventId":"evt_1"}""", request.GetDataText("msg"));
        Assert.Null(request.GetMetadataInt64("DequeueCount"));
    }

    [Fact]
    public void Reads_a_timer_payload()
    {
        const string payload = """
            {"Data":{"timer":"{\"Schedule\":{\"AdjustForDST\":true},\"ScheduleStatus\":{\"Last\":\"2026-10-01T02:00:00+00:00\",\"Next\":\"2026-11-01T02:00:00+00:00\",\"LastUpdated\":\"2026-10-01T02:00:00+00:00\"},\"IsPastDue\":true}"},"Metadata":{}}
            """;

        var timer = HostInvocationRequest.Parse(Encoding.UTF8.GetBytes(payload)).GetDataObject("timer");

        Assert.NotNull(timer);
        Assert.True(timer.Value.GetProperty("IsPastDue").GetBoolean());
        Assert.Equal("2026-11-01T02:00:00+00:00", timer.Value.GetProperty("ScheduleStatus").GetProperty("Next").GetString());
    }

    [Theory]
    [InlineData("""{"Data":{}}""")]
    [InlineData("""{"Data":{"msg":null}}""")]
    [InlineData("""{"Metadata":{}}""")]
    public void A_payload_without_the_trigger_value_is_rejected(string payload)
    {
        var request = HostInvocationRequest.Parse(Encoding.UTF8.GetBytes(payload));

        Assert.Throws<HostPayloadException>(() => request.GetDataText("msg"));
    }

    [Fact]
    public void A_payload_that_is_not_an_object_is_rejected()
    {
        Assert.Throws<HostPayloadException>(() => HostInvocationRequest.Parse("[1,2]"u8));
    }

    [Theory]
    [InlineData("\"abc\"", "abc")]
    [InlineData("abc", "abc")]
    [InlineData("\"unterminated \\\"", "\"unterminated \\\"")]
    [InlineData("\"", "\"")]
    public void Unwrap_removes_exactly_one_json_string_encoding(string value, string expected)
    {
        Assert.Equal(expected, HostInvocationRequest.Unwrap(value));
    }
}
