using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

if (Environment.GetEnvironmentVariable("FIXTURE_CRASH_ON_START") == "1")
{
    await Console.Error.WriteLineAsync("Fixture app: crashing at start as FIXTURE_CRASH_ON_START asks.").ConfigureAwait(false);
    Environment.Exit(42);
}

// A restarted worker that takes a while to be ready: the first start leaves this marker file, later starts wait 5 s.
if (Environment.GetEnvironmentVariable("FIXTURE_SLOW_RESTART_MARKER") is { Length: > 0 } marker)
{
    if (File.Exists(marker))
    {
        await Task.Delay(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }
    else
    {
        await File.WriteAllTextAsync(marker, "started").ConfigureAwait(false);
    }
}

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
await builder.Build().RunAsync().ConfigureAwait(false);
