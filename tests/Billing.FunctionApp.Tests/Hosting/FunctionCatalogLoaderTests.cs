using Billing.FunctionApp.Hosting.FunctionMetadata;

namespace Billing.FunctionApp.Tests.Hosting;

public sealed class FunctionCatalogLoaderTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["QUEUE"] = "stripe-events",
        ["SCHEDULE"] = "0 0 2 1 * *",
    };

    [Fact]
    public void An_http_function_maps_to_its_public_path_under_api()
    {
        var function = FunctionCatalogLoader.Parse("Plans", """
            {"bindings":[{"type":"httpTrigger","direction":"in","name":"req","authLevel":"anonymous","methods":["get"],"route":"billing/plans"},
                         {"type":"http","direction":"out","name":"res"}]}
            """, Settings.GetValueOrDefault);

        Assert.Equal(FunctionTriggerKind.Http, function.Kind);
        Assert.Equal("/api/billing/plans", function.Path);
        Assert.Equal(["GET"], function.HttpMethods);
    }

    [Fact]
    public void Queue_names_and_schedules_are_resolved_from_app_settings()
    {
        var queue = FunctionCatalogLoader.Parse("Q", """{"bindings":[{"type":"queueTrigger","direction":"in","name":"msg","queueName":"%QUEUE%","connection":"AzureWebJobsStorage"}]}""", Settings.GetValueOrDefault);
        var timer = FunctionCatalogLoader.Parse("T", """{"bindings":[{"type":"timerTrigger","direction":"in","name":"timer","schedule":"%SCHEDULE%"}]}""", Settings.GetValueOrDefault);

        Assert.Equal("stripe-events", queue.QueueName);
        Assert.Equal("0 0 2 1 * *", timer.Schedule);
    }

    [Fact]
    public void A_missing_app_setting_is_a_clear_start_up_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FunctionCatalogLoader.Parse("Q", """{"bindings":[{"type":"queueTrigger","direction":"in","name":"msg","queueName":"%NOPE%"}]}""", Settings.GetValueOrDefault));

        Assert.Contains("'NOPE'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"bindings":[]}""")]
    [InlineData("""{"bindings":[{"type":"queueTrigger","direction":"in","name":"a","queueName":"x"},{"type":"timerTrigger","direction":"in","name":"b","schedule":"* * * * * *"}]}""")]
    [InlineData("""{"bindings":[{"type":"blobTrigger","direction":"in","name":"a"}]}""")]
    public void Function_json_without_exactly_one_supported_trigger_is_rejected(string json)
    {
        Assert.Throws<InvalidOperationException>(() => FunctionCatalogLoader.Parse("F", json, Settings.GetValueOrDefault));
    }

    [Fact]
    public void Only_top_level_function_folders_of_the_app_root_count()
    {
        var root = Directory.CreateTempSubdirectory("catalog-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "Q"));
            File.WriteAllText(Path.Combine(root, "Q", "function.json"), """{"bindings":[{"type":"queueTrigger","direction":"in","name":"msg","queueName":"q"}]}""");
            Directory.CreateDirectory(Path.Combine(root, "wwwroot", "nested"));
            File.WriteAllText(Path.Combine(root, "wwwroot", "nested", "function.json"), "not json");

            var catalog = FunctionCatalogLoader.Load(root, Settings.GetValueOrDefault);

            Assert.Equal(["Q"], catalog.All.Select(f => f.Name));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
