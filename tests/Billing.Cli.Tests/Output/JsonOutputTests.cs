using System.Text.Json.Nodes;
using Billing.Cli.Output;

namespace Billing.Cli.Tests.Output;

public sealed class JsonOutputTests
{
    [Fact]
    public void Escaped_plus_and_apostrophe_print_as_themselves_and_the_json_round_trips()
    {
        const string Json = """{"note":"a \u002B b isn\u0027t \"quoted\" \\ x","n":[1.0,2e3],"dup":1,"dup":2}""";

        var formatted = JsonOutput.TryFormat(Json);

        Assert.NotNull(formatted);
        Assert.Contains("\"a + b isn't \\\"quoted\\\" \\\\ x\"", formatted, StringComparison.Ordinal);
        Assert.Contains("1.0", formatted, StringComparison.Ordinal);
        Assert.Contains("2e3", formatted, StringComparison.Ordinal);
        Assert.Equal(JsonOutput.TryFormat(formatted), formatted);
    }

    [Fact]
    public void Control_characters_stay_escaped()
    {
        var formatted = JsonOutput.TryFormat("""{"s":"a\nb\u0001"}""");

        Assert.Contains("\"a\\nb\\u0001\"", formatted, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"s":"a\nb\u0001"}"""), JsonNode.Parse(formatted!)));
    }

    [Fact]
    public void Text_that_is_not_json_is_not_formatted()
    {
        Assert.Null(JsonOutput.TryFormat("<html>Bad gateway</html>"));
    }

    [Fact]
    public void A_request_body_is_one_compact_line_with_the_relaxed_encoder()
    {
        Assert.Equal("""{"eventIds":["evt_+'"]}""", JsonOutput.ToCompactString(new JsonObject { ["eventIds"] = new JsonArray("evt_+'") }));
    }
}
