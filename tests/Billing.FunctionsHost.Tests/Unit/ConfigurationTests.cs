using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Queues;
using Billing.FunctionsHost.Rpc;

namespace Billing.FunctionsHost.Tests.Unit;

public sealed class ConfigurationTests
{
    [Fact]
    public void Environment_variables_win_over_local_settings_values()
    {
        var settings = new AppSettings(
            new Dictionary<string, string> { ["QUEUE"] = "from-file", ["ONLY_FILE"] = "file" },
            name => name == "QUEUE" ? "from-env" : null);

        Assert.Equal("from-env-x-file", settings.Resolve("%QUEUE%-x-%ONLY_FILE%", "test"));
        var error = Assert.Throws<HostStartupException>(() => settings.Resolve("%MISSING%", "Function 'F'"));
        Assert.Equal("Function 'F': app setting 'MISSING' is not set.", error.Message);
    }

    [Fact]
    public void Connections_resolve_AzureWebJobs_prefixed_names_first_and_the_identity_form()
    {
        var settings = new AppSettings(
            new Dictionary<string, string>
            {
                ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
                ["Other__queueServiceUri"] = "https://account.queue.core.windows.net",
                ["Other__clientId"] = "client",
            },
            _ => null);

        Assert.Equal("UseDevelopmentStorage=true", settings.ResolveQueueConnection(null, "t").ConnectionString);
        var identity = settings.ResolveQueueConnection("Other", "t");
        Assert.Equal(new Uri("https://account.queue.core.windows.net"), identity.ServiceUri);
        Assert.Equal("client", identity.ClientId);
        Assert.Throws<HostStartupException>(() => settings.ResolveQueueConnection("Missing", "t"));
    }

    [Fact]
    public void Host_json_defaults_follow_the_real_host_in_development()
    {
        var options = HostJsonOptions.Parse("{}", processorCount: 2);

        Assert.Equal("api", options.RoutePrefix);
        Assert.Equal(new QueueOptions(16, 16, TimeSpan.FromSeconds(2), TimeSpan.Zero, 5, Base64: true), options.Queues);
        Assert.Equal(TimeSpan.FromMinutes(30), options.FunctionTimeout);
    }

    [Fact]
    public void Host_json_values_are_read_case_insensitively_with_comments()
    {
        var options = HostJsonOptions.Parse(
            """
            { // comment
              "functionTimeout": "-1",
              "logging": { "logLevel": { "default": "Warning", "Function": "Information" } },
              "extensions": { "http": { "routePrefix": "" }, "Queues": { "BatchSize": 4, "messageEncoding": "none", "visibilityTimeout": "00:00:05" } }
            }
            """,
            processorCount: 2);

        Assert.Equal(string.Empty, options.RoutePrefix);
        Assert.Null(options.FunctionTimeout);
        Assert.Equal(4, options.Queues.BatchSize);
        Assert.Equal(4, options.Queues.NewBatchThreshold);
        Assert.False(options.Queues.Base64);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Queues.VisibilityTimeout);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, options.LogLevels["default"]);
    }

    [Theory]
    [InlineData("[1]", "host.json must contain a JSON object.")]
    [InlineData("""{"extensions":{"queues":{"batchSize":64}}}""", "host.json: 'extensions.queues.batchSize' must be a whole number from 1 to 32.")]
    [InlineData("""{"functionTimeout":"soon"}""", "host.json: 'functionTimeout' must be a time span like \"00:05:00\".")]
    [InlineData("""{"logging":{"logLevel":{"default":"Loud"}}}""", "host.json: 'logging.logLevel.default' must be a log level such as \"Information\".")]
    public void Bad_host_json_is_one_clear_message(string json, string message)
    {
        Assert.Equal(message, Assert.Throws<HostStartupException>(() => HostJsonOptions.Parse(json, 2)).Message);
    }

    [Fact]
    public void The_command_line_parses_every_option_and_rejects_unknown_ones()
    {
        var line = HostCommandLine.Parse(["--script-root", "app", "--port", "7072", "--state-dir", "/tmp/s", "--cors", "http://a, http://b"], "/work");

        Assert.Equal("/work/app", line.ScriptRoot);
        Assert.Equal(7072, line.Port);
        Assert.Equal("/tmp/s", line.StateDir);
        Assert.Equal(["http://a", "http://b"], line.Cors);
        Assert.Throws<HostStartupException>(() => HostCommandLine.Parse(["--verbose", "x"], "/work"));
        Assert.Throws<HostStartupException>(() => HostCommandLine.Parse(["--port", "0"], "/work"));
    }

    [Fact]
    public void Backoff_grows_with_jitter_up_to_the_maximum_and_resets()
    {
        // The real listener's RandomizedExponentialBackoffStrategy (minimum 100 ms, delta = minimum, factor 0.2): the
        // minimum first, then minimum + 2^(n-1) x delta x [0.8, 1.2], then the maximum; after messages, the minimum again.
        var backoff = new RandomizedExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), new Random(1));

        var delays = Enumerable.Range(0, 8).Select(_ => backoff.Next().TotalMilliseconds).ToArray();

        Assert.Equal(100, delays[0]);
        Assert.InRange(delays[1], 180, 220);
        Assert.InRange(delays[2], 260, 340);
        Assert.InRange(delays[3], 420, 580);
        Assert.InRange(delays[4], 740, 1060);
        Assert.All(delays, d => Assert.InRange(d, 100, 2000));
        Assert.Equal(2000, delays[^2]);
        Assert.Equal(2000, delays[^1]);
        backoff.Reset();
        Assert.Equal(100, backoff.Next().TotalMilliseconds);
        Assert.InRange(backoff.Next().TotalMilliseconds, 180, 220);
    }

    [Fact]
    public void Queue_outputs_become_one_message_per_element()
    {
        Assert.Equal(["a", "b", """{"Id":1}"""], QueueOutputWriter.ToMessages(new TypedData { Json = """["a","b",{"Id":1}]""" }).Select(m => m.ToString()));
        Assert.Equal(["""{"Id":"o1","Qty":2}"""], QueueOutputWriter.ToMessages(new TypedData { Json = """{"Id":"o1","Qty":2}""" }).Select(m => m.ToString()));
        Assert.Equal(["plain"], QueueOutputWriter.ToMessages(new TypedData { String = "plain" }).Select(m => m.ToString()));
        Assert.Empty(QueueOutputWriter.ToMessages(null));
        Assert.Equal("q-poison", QueueListener.PoisonQueueName("q"));
        Assert.Null(QueueListener.PoisonQueueName("q-poison"));
    }

    [Fact]
    public void A_queue_output_of_json_null_sends_no_message()
    {
        // The real host turns the worker's JSON "null" into a null value (GrpcMessageConversionExtensions.ToObject,
        // JsonConvert.DeserializeObject), and WorkerFunctionInvoker.BindOutputsAsync binds an output only when its value
        // is not null (azure-functions-host 89dc438): no message, and not a message "null". A value with no data alike.
        Assert.Empty(QueueOutputWriter.ToMessages(new TypedData { Json = "null" }));
        Assert.Empty(QueueOutputWriter.ToMessages(new TypedData()));
    }

    [Fact]
    public void A_null_element_of_a_queue_output_array_sends_an_empty_message()
    {
        // The worker sends an array as JSON with its nulls (RpcExtensions.ToRpcDefault); the real host reads it as a
        // JArray whose null element is a JValue, bound through IAsyncCollector<byte[]> as the UTF-8 of its ToString(),
        // which is empty (FunctionBinding.BindAsyncCollectorAsync): an empty message, not a skipped one.
        Assert.Equal(["a", "", "b"], QueueOutputWriter.ToMessages(new TypedData { Json = """["a",null,"b"]""" }).Select(m => m.ToString()));
        var pocos = QueueOutputWriter.ToMessages(new TypedData { Json = """[null,{"Id":1}]""" });
        Assert.Equal(2, pocos.Count);
        Assert.Equal(string.Empty, pocos[0].ToString());
    }

    [Fact]
    public void A_queue_whose_poison_queue_name_would_be_too_long_has_no_poison_queue()
    {
        // QueueListenerFactory.CreatePoisonQueueReference: only when "<queue>-poison" is a valid queue name (3 to 63 characters).
        var longest = new string('q', 63 - "-poison".Length);

        Assert.Equal(longest + "-poison", QueueListener.PoisonQueueName(longest));
        Assert.Null(QueueListener.PoisonQueueName(longest + "q"));
    }
}
