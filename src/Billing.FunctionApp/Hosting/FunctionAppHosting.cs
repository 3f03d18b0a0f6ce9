using Billing.FunctionApp.Functions;
using Billing.FunctionApp.Hosting.CustomHandler;
using Billing.FunctionApp.Hosting.FunctionMetadata;
using Billing.FunctionApp.Hosting.Standalone;

namespace Billing.FunctionApp.Hosting;

/// <summary>The custom-handler plumbing: function metadata, the invoker, host-protocol endpoints and the standalone triggers.</summary>
public static class FunctionAppHosting
{
    /// <summary>The app root: where host.json and the &lt;Function&gt;/function.json folders are (the build and publish output).</summary>
    public static string AppRoot => AppContext.BaseDirectory;

    public static WebApplicationBuilder AddCustomHandlerHosting(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (CustomHandlerEnvironment.HostPort(configuration) is { } port)
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }

        var catalog = FunctionCatalogLoader.Load(AppRoot, key => configuration[key]);
        var queueSettings = QueueTriggerSettings.Load(Path.Combine(AppRoot, "host.json"), key => configuration[key]);
        var services = builder.Services;
        services.AddSingleton(catalog);
        services.AddSingleton(queueSettings);
        services.AddSingleton<FunctionInvoker>();
        services.AddOptions<StandaloneTriggerOptions>().Bind(configuration.GetSection(StandaloneTriggerOptions.Section));
        services.AddSingleton<TimerScheduleStatusStore>();

        var standalone = configuration.GetValue<bool?>($"{StandaloneTriggerOptions.Section}:Enabled") ?? CustomHandlerEnvironment.HostPort(configuration) is null;
        if (standalone)
        {
            foreach (var function in catalog.OfKind(FunctionTriggerKind.Queue))
            {
                services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<QueueTriggerListener>(sp, function));
            }

            foreach (var function in catalog.OfKind(FunctionTriggerKind.Timer))
            {
                services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<TimerTriggerScheduler>(sp, function));
            }
        }

        return builder;
    }

    /// <summary>Fails start-up when function.json files and registered functions disagree, or a schedule does not parse.</summary>
    public static void ValidateFunctions(this IServiceProvider services)
    {
        var catalog = services.GetRequiredService<FunctionCatalog>();
        var invoker = services.GetRequiredService<FunctionInvoker>();
        var problems = new List<string>();
        Compare(catalog.OfKind(FunctionTriggerKind.Queue).Select(f => f.Name), invoker.QueueFunctionNames, "queue", problems);
        Compare(catalog.OfKind(FunctionTriggerKind.Timer).Select(f => f.Name), invoker.TimerFunctionNames, "timer", problems);
        foreach (var timer in catalog.OfKind(FunctionTriggerKind.Timer))
        {
            try
            {
                TimerTriggerScheduler.ParseSchedule(timer.Schedule!);
            }
            catch (InvalidOperationException exception)
            {
                problems.Add($"{timer.Name}: {exception.Message}");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Function metadata is inconsistent:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }
    }

    private static void Compare(IEnumerable<string> declared, IEnumerable<string> registered, string kind, List<string> problems)
    {
        var declaredSet = declared.ToHashSet(StringComparer.Ordinal);
        var registeredSet = registered.ToHashSet(StringComparer.Ordinal);
        problems.AddRange(declaredSet.Except(registeredSet).Select(n => $"{n}/function.json declares a {kind} trigger but no {kind} function named {n} is registered."));
        problems.AddRange(registeredSet.Except(declaredSet).Select(n => $"The {kind} function {n} has no {n}/function.json."));
    }
}
