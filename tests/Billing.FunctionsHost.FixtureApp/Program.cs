using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

if (Environment.GetEnvironmentVariable("FIXTURE_CRASH_ON_START") == "1")
{
    await Console.Error.WriteLineAsync("Fixture app: crashing at start as FIXTURE_CRASH_ON_START asks.").ConfigureAwait(false);
    Environment.Exit(42);
}

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
await builder.Build().RunAsync().ConfigureAwait(false);
