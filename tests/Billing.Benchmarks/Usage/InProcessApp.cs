using Billing.Application.DependencyInjection;
using Billing.Infrastructure;
using Billing.TestSupport;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Billing.Benchmarks.Usage;

/// <summary>
/// The function app's own composition built in this process: its appsettings files (from the worker's build output),
/// the same app settings the host hands the worker, then <c>AddBillingApplication</c> and <c>AddBillingInfrastructure</c>
/// as the worker calls them, with <paramref name="cosmos"/> in place of the client <c>AddBillingCosmos</c> would create
/// (it keeps a registered one). No HTTP, host or worker: the application service and its Cosmos adapters only.
/// </summary>
internal static class InProcessApp
{
    public static IHost Build(IReadOnlyDictionary<string, string?> settings, CosmosClient cosmos)
    {
        var root = FunctionAppProcess.BuildOutput;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development, ContentRootPath = root });
        builder.Configuration
            .AddJsonFile(Path.Combine(root, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(root, $"appsettings.{builder.Environment.EnvironmentName}.json"), optional: true)
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)));
        builder.Services.AddSingleton(cosmos);
        builder.Services.AddBillingApplication(builder.Configuration);
        builder.Services.AddBillingInfrastructure(builder.Configuration, builder.Environment);
        return builder.Build();
    }
}
