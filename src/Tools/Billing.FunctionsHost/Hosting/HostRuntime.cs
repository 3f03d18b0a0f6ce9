using System.Globalization;
using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Http;
using Billing.FunctionsHost.Worker;
using Microsoft.AspNetCore.Routing;

namespace Billing.FunctionsHost.Hosting;

/// <summary>
/// The host's life once its ports are open: start the worker, build routes and listeners, print the function list
/// and "Host started", supervise the worker, and on stop shut listeners down and terminate the worker.
/// </summary>
internal sealed partial class HostRuntime(
    HostConfiguration configuration,
    HostState state,
    WorkerSupervisor supervisor,
    TriggerListeners triggers,
    IInlineConstraintResolver constraints,
    ILoggerFactory loggerFactory)
{
    private static readonly TimeSpan ListenerDrain = TimeSpan.FromSeconds(10);
    private readonly ILogger logger = loggerFactory.CreateLogger("Host");

    /// <summary>Returns null after a clean stop, or the fatal error that ended the host.</summary>
    public async Task<string?> RunAsync(Uri grpcUri, TextWriter output, CancellationToken stopping)
    {
        using var listenersStopping = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var running = new List<Task>();
        string? fatal;
        try
        {
            var session = await supervisor.StartAsync(grpcUri, stopping).ConfigureAwait(false);
            var routes = HttpRouteTable.Build(session.Functions, configuration.HostJson.RoutePrefix, constraints);
            var listeners = triggers.Create(session.Functions);
            state.Routes = routes;
            PrintFunctions(output, session.Functions, routes, listeners);
            running.AddRange(listeners.Select(l => RunListenerAsync(l, listenersStopping.Token)));
            state.Phase = HostPhase.Running;
            output.WriteLine("Host started");
            output.Flush();
            fatal = await supervisor.SuperviseAsync(stopping).ConfigureAwait(false);
        }
        catch (HostStartupException e)
        {
            fatal = e.Message;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            fatal = null;
        }

        state.Phase = HostPhase.Stopping;
        LogStopping(logger);
        await listenersStopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAny(Task.WhenAll(running), Task.Delay(ListenerDrain, CancellationToken.None)).ConfigureAwait(false);
        await supervisor.StopAsync().ConfigureAwait(false);
        return fatal;
    }

    private void PrintFunctions(TextWriter output, IReadOnlyList<FunctionDefinition> functions, HttpRouteTable routes, IReadOnlyList<TriggerListeners.Listener> listeners)
    {
        output.WriteLine();
        output.WriteLine("Functions:");
        output.WriteLine();
        foreach (var function in functions)
        {
            var route = routes.Routes.FirstOrDefault(r => r.Function == function);
            var description = route is not null
                ? string.Create(CultureInfo.InvariantCulture, $"[{string.Join(',', route.DisplayMethods)}] http://127.0.0.1:{configuration.Port}/{route.TemplateText}")
                : listeners.First(l => l.Function == function).Description;
            output.WriteLine($"  {function.Name}: {description}");
        }

        output.WriteLine();
    }

    private async Task RunListenerAsync(TriggerListeners.Listener listener, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Yield();
            await listener.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A broken listener must not take the host down silently; it is logged loudly.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogListenerFailed(logger, e, listener.Function.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping the host.")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The trigger listener of '{Function}' stopped with an error.")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string function);
}
