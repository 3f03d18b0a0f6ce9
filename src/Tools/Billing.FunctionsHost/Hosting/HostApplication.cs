using System.Net;
using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Http;
using Billing.FunctionsHost.Logging;
using Billing.FunctionsHost.Queues;
using Billing.FunctionsHost.Worker;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Billing.FunctionsHost.Hosting;

/// <summary>
/// One Kestrel server, two endpoints: the public HTTP port (localhost, HTTP/1.1) and the worker's gRPC
/// endpoint on 127.0.0.1 with a random port (HTTP/2 only, which cleartext gRPC needs).
/// </summary>
internal static class HostApplication
{
    private static readonly Dictionary<string, LogLevel> QuietByDefault = new(StringComparer.Ordinal)
    {
        ["Default"] = LogLevel.Information,
        ["Microsoft"] = LogLevel.Warning,
        ["System"] = LogLevel.Warning,
        ["Grpc"] = LogLevel.Warning,
        ["Azure"] = LogLevel.Warning,
        ["Microsoft.Hosting.Lifetime"] = LogLevel.Warning,
        ["Microsoft.AspNetCore"] = LogLevel.Warning,
    };

    public static WebApplication Build(HostConfiguration configuration)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new LineConsoleLoggerProvider(Console.Out));
        foreach (var (category, level) in QuietByDefault.Concat(configuration.HostJson.LogLevels))
        {
            builder.Logging.AddFilter(category.Equals("default", StringComparison.OrdinalIgnoreCase) ? null : category, level);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = HttpTriggerHandler.MaxRequestBodySize;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.ListenLocalhost(configuration.Port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        builder.Services.AddRouting();
        AddHostServices(builder.Services, configuration);

        var app = builder.Build();
        var handler = app.Services.GetRequiredService<HttpTriggerHandler>();
        app.UseWhen(context => context.Connection.LocalPort == configuration.Port, publicPort => publicPort.Run(handler.HandleAsync));
        app.MapGrpcService<FunctionRpcService>();
        return app;
    }

    public static Uri GrpcUri(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var grpc = addresses.Select(a => new Uri(a)).First(u => u.Host == "127.0.0.1" && u.Port != app.Services.GetRequiredService<HostConfiguration>().Port);
        return new Uri($"http://127.0.0.1:{grpc.Port}/");
    }

    public static bool IsAddressInUse(IOException exception) =>
        exception.InnerException is AddressInUseException
        || exception.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    private static void AddHostServices(IServiceCollection services, HostConfiguration configuration)
    {
        services.AddSingleton(configuration);
        services.AddSingleton(configuration.Settings);
        services.AddSingleton(configuration.HostJson);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new CorsPolicy(configuration.CorsOrigins));
        services.AddSingleton<HostState>();
        services.AddSingleton<HttpForwarder>();
        services.AddSingleton<HttpTriggerHandler>();
        services.AddSingleton<WorkerChannelRegistry>();
        services.AddSingleton<WorkerLogForwarder>();
        services.AddSingleton<WorkerStarter>();
        services.AddSingleton<WorkerSupervisor>();
        services.AddSingleton<QueueClientFactory>();
        services.AddSingleton<QueueOutputWriter>();
        services.AddSingleton<FunctionInvoker>();
        services.AddSingleton<TriggerListeners>();
        services.AddSingleton<HostRuntime>();
    }
}
