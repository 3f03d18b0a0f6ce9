using Billing.FunctionApp.Hosting.FunctionMetadata;

namespace Billing.FunctionApp.Tests.Hosting;

public sealed class QueueTriggerSettingsTests
{
    [Fact]
    public void Host_json_values_apply_and_app_settings_override_them_as_in_the_host()
    {
        var hostJson = Path.GetTempFileName();
        try
        {
            File.WriteAllText(hostJson, """{"version":"2.0","extensions":{"queues":{"maxDequeueCount":5,"visibilityTimeout":"00:00:30","batchSize":16,"maxPollingInterval":"00:00:02"}}}""");
            var overrides = new Dictionary<string, string?> { [QueueTriggerSettings.OverridePrefix + "maxDequeueCount"] = "3" };

            var settings = QueueTriggerSettings.Load(hostJson, overrides.GetValueOrDefault);

            Assert.Equal(3, settings.MaxDequeueCount);
            Assert.Equal(TimeSpan.FromSeconds(30), settings.VisibilityTimeout);
            Assert.Equal(16, settings.BatchSize);
            Assert.Equal(8, settings.NewBatchThreshold);
            Assert.Equal(TimeSpan.FromSeconds(2), settings.MaxPollingInterval);
        }
        finally
        {
            File.Delete(hostJson);
        }
    }

    [Fact]
    public void Defaults_are_the_hosts_when_host_json_says_nothing()
    {
        var settings = QueueTriggerSettings.Load("/nonexistent/host.json", _ => null);

        Assert.Equal(5, settings.MaxDequeueCount);
        Assert.Equal(16, settings.BatchSize);
        Assert.Equal(TimeSpan.Zero, settings.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.MaxPollingInterval);
    }

    [Theory]
    [InlineData("maxDequeueCount", "0")]
    [InlineData("batchSize", "64")]
    [InlineData("visibilityTimeout", "soon")]
    [InlineData("maxPollingInterval", "00:00:00.010")]
    public void Bad_values_fail_start_up_with_the_setting_named(string key, string value)
    {
        var overrides = new Dictionary<string, string?> { [QueueTriggerSettings.OverridePrefix + key] = value };

        var error = Assert.Throws<InvalidOperationException>(() => QueueTriggerSettings.Load("/nonexistent/host.json", overrides.GetValueOrDefault));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }
}
