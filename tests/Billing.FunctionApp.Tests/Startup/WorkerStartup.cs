using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Tests.Startup;

/// <summary>
/// The worker's start-up as far as its settings go: the app's own registration
/// (<see cref="FunctionAppServices.AddBillingFunctionApp"/>) on a real <see cref="FunctionsApplicationBuilder"/> whose
/// configuration is what the worker reads: the app's appsettings.json and appsettings.{environment}.json, then the app
/// settings (local.settings.json <c>Values</c> or Azure's), which reach the worker as environment variables
/// (<c>A__B</c> is <c>A:B</c>). Then every options validation registered with ValidateOnStart runs, as at the worker's
/// start. (Also compiled into Billing.Infra.Tests, for the settings the template deploys.)
/// </summary>
public static class WorkerStartup
{
    /// <summary>Throws what the worker would stop with (an <see cref="OptionsValidationException"/>, or several in an <see cref="AggregateException"/>).</summary>
    public static void Validate(string appDirectory, string environmentName, IEnumerable<KeyValuePair<string, string?>> appSettings)
    {
        using var services = Builder(appDirectory, environmentName, appSettings).Services.BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
    }

    /// <summary>The worker's builder with its configuration and the app's registration, its services not built yet.</summary>
    public static FunctionsApplicationBuilder Builder(string appDirectory, string environmentName, IEnumerable<KeyValuePair<string, string?>> appSettings)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        // The worker takes its environment from AZURE_FUNCTIONS_ENVIRONMENT, a process-wide variable: set here instead.
        builder.Environment.EnvironmentName = environmentName;
        builder.Environment.ContentRootPath = appDirectory;

        // The worker's configuration in its order, without this test process's own environment variables.
        builder.Configuration.Sources.Clear();
        builder.Configuration
            .AddJsonFile(Path.Combine(appDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(appDirectory, $"appsettings.{environmentName}.json"), optional: true)
            .AddInMemoryCollection(appSettings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)));
        return builder.AddBillingFunctionApp();
    }

    /// <summary>The message of what <see cref="Validate"/> threw, or null when the worker would start.</summary>
    public static string? Failure(string appDirectory, string environmentName, IEnumerable<KeyValuePair<string, string?>> appSettings)
    {
        try
        {
            Validate(appDirectory, environmentName, appSettings);
            return null;
        }
        catch (Exception e) when (e is OptionsValidationException or AggregateException)
        {
            return e.Message;
        }
    }
}
