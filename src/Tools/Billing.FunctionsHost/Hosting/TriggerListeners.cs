using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Queues;
using Billing.FunctionsHost.Timers;

namespace Billing.FunctionsHost.Hosting;

/// <summary>Creates the queue and timer listeners for the indexed functions and describes them for the start banner.</summary>
internal sealed class TriggerListeners(
    HostConfiguration configuration,
    QueueClientFactory queues,
    FunctionInvoker invoker,
    TimeProvider time,
    ILoggerFactory loggerFactory)
{
    public sealed record Listener(FunctionDefinition Function, string Description, Func<CancellationToken, Task> RunAsync);

    public IReadOnlyList<Listener> Create(IReadOnlyList<FunctionDefinition> functions)
    {
        var listeners = new List<Listener>();
        foreach (var function in functions)
        {
            var type = function.Trigger.Type;
            if (type.Equals(FunctionDefinition.QueueTrigger, StringComparison.OrdinalIgnoreCase))
            {
                var listener = new QueueListener(function, queues, configuration.HostJson, invoker, time, loggerFactory.CreateLogger("Host.Queues"), loggerFactory.CreateLogger("Host.Triggers.Queue"));
                listeners.Add(new Listener(function, $"queueTrigger ({listener.QueueName})", listener.RunAsync));
            }
            else if (type.Equals(FunctionDefinition.TimerTrigger, StringComparison.OrdinalIgnoreCase))
            {
                listeners.Add(CreateTimer(function));
            }
        }

        return listeners;
    }

    private Listener CreateTimer(FunctionDefinition function)
    {
        var usedBy = $"Function '{function.Name}'";
        var expression = configuration.Settings.Resolve(function.Trigger.GetString("schedule") ?? string.Empty, usedBy);
        var schedule = TimerSchedule.Parse(expression, usedBy);
        var useMonitor = (function.Trigger.GetBool("useMonitor") ?? true) && !schedule.IsSubMinute(time.GetUtcNow());
        var store = new ScheduleStatusStore(configuration.StateDir, loggerFactory.CreateLogger("Host.Timers"));
        var timer = new TimerListener(
            function.Name,
            function.Trigger.Name,
            schedule,
            useMonitor,
            function.Trigger.GetBool("runOnStartup") ?? false,
            store,
            time,
            (input, ct) => invoker.InvokeAsync(function, input, ct));
        return new Listener(function, $"timerTrigger ({expression})", timer.RunAsync);
    }
}
