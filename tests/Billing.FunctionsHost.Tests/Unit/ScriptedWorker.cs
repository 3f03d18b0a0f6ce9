using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Queues;
using Billing.FunctionsHost.Rpc;
using Billing.FunctionsHost.Tests.Infrastructure;
using Billing.FunctionsHost.Worker;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Billing.FunctionsHost.Tests.Unit;

/// <summary>
/// The host's real worker supervisor, starter and invoker on a <see cref="ClockWithTimers"/>, with the worker played by
/// the test: each worker process is a shell that records its arguments and sleeps, and this class speaks the worker's
/// side of its EventStream (init, metadata, load answered; invocations handed to the test).
/// </summary>
internal sealed class ScriptedWorker : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string argumentsDirectory = TestPaths.NewTempDirectory();
    private readonly HashSet<string> seen = [];
    private readonly List<int> pids = [];
    private readonly List<(Channel<StreamingMessage> ToHost, Task Run)> streams = [];
    private readonly RpcFunctionMetadata function;
    private readonly WorkerChannelRegistry registry = new();
    private readonly Channel<StreamingMessage> sentByHost = Channel.CreateUnbounded<StreamingMessage>();

    public ScriptedWorker(ClockWithTimers time, RpcFunctionMetadata function, HostJsonOptions hostJson, AppSettings settings)
    {
        this.function = function;
        var script = $"printf '%s\\n' \"$@\" > '{argumentsDirectory}/'$$.tmp && mv '{argumentsDirectory}/'$$.tmp '{argumentsDirectory}/'$$.args; exec sleep 600";
        var configuration = new HostConfiguration(argumentsDirectory, 0, argumentsDirectory, [], settings, hostJson, new WorkerConfig("/bin/sh", ["-c", script], "scripted-worker", []));
        Log = new RecordingLoggerFactory();
        Supervisor = new WorkerSupervisor(new WorkerStarter(configuration, registry, new WorkerLogForwarder(Log), time, Log), registry, time, Log);
        Queues = new QueueClientFactory(settings, hostJson);
        Invoker = new FunctionInvoker(Supervisor, new QueueOutputWriter(Queues), hostJson, Log);
    }

    public RecordingLoggerFactory Log { get; }

    public WorkerSupervisor Supervisor { get; }

    public FunctionInvoker Invoker { get; }

    public QueueClientFactory Queues { get; }

    public int Started => pids.Count;

    /// <summary>The next message the host sent a worker besides the handshake (InvocationRequest, InvocationCancel, WorkerTerminate...).</summary>
    public async Task<StreamingMessage> NextFromHostAsync()
    {
        try
        {
            return await sentByHost.Reader.ReadAsync().AsTask().WaitAsync(Deadline);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException("The host sent the worker nothing more.", e);
        }
    }

    /// <summary>A queue-triggered function "Consume" as the worker indexes it.</summary>
    public static RpcFunctionMetadata QueueFunction(string queueName) => new()
    {
        Name = "Consume",
        FunctionId = "consume-id",
        Bindings = { ["message"] = new BindingInfo { Type = "queueTrigger", Direction = BindingInfo.Types.Direction.In, DataType = BindingInfo.Types.DataType.String } },
        RawBindings = { $$"""{ "name": "message", "type": "queueTrigger", "direction": "In", "queueName": "{{queueName}}" }""" },
    };

    /// <summary>Adds a queue output binding for the function's return value.</summary>
    public static RpcFunctionMetadata WithQueueOutput(RpcFunctionMetadata function, string queueName, string connection)
    {
        var withOutput = function.Clone();
        withOutput.Bindings["$return"] = new BindingInfo { Type = "queue", Direction = BindingInfo.Types.Direction.Out };
        withOutput.RawBindings.Add($$"""{ "name": "$return", "type": "queue", "direction": "Out", "queueName": "{{queueName}}", "connection": "{{connection}}" }""");
        return withOutput;
    }

    /// <summary>Starts the first worker and plays its handshake.</summary>
    public async Task<WorkerSession> StartAsync()
    {
        var starting = Supervisor.StartAsync(new Uri("http://127.0.0.1:1/"), CancellationToken.None);
        await ConnectNextAsync();
        return await starting;
    }

    /// <summary>Waits for the next worker process the host starts; returns its pid, with nothing connected yet.</summary>
    public async Task<int> NextProcessAsync()
    {
        var file = await Wait.ForAsync(
            () => Task.FromResult(Directory.GetFiles(argumentsDirectory, "*.args").FirstOrDefault(f => !seen.Contains(f))),
            Deadline,
            "the host to start a worker process");
        seen.Add(file);
        pids.Add(int.Parse(Path.GetFileNameWithoutExtension(file)));
        return pids[^1];
    }

    /// <summary>Waits for the next worker process the host starts, plays its handshake, and waits until the host serves invocations on it.</summary>
    public async Task ConnectNextAsync()
    {
        var pid = await NextProcessAsync();
        var arguments = await File.ReadAllLinesAsync(Path.Combine(argumentsDirectory, $"{pid}.args"));
        var workerId = arguments[Array.IndexOf(arguments, "--functions-worker-id") + 1];
        var channel = registry.Find(workerId) ?? throw new InvalidOperationException($"No channel for worker '{workerId}'.");
        var toHost = Channel.CreateUnbounded<StreamingMessage>();
        var fromHost = new Writer(message => Answer(message, toHost.Writer));
        streams.Add((toHost, channel.RunAsync(new Reader(toHost.Reader), fromHost, CancellationToken.None)));
        await Wait.UntilAsync(() => Supervisor.Current?.Process.Id == pid, Deadline, "the host to publish the new worker");
    }

    /// <summary>Kills the current worker process, as a crash would.</summary>
    public void Crash() => Process.GetProcessById(pids[^1]).Kill();

    public async ValueTask DisposeAsync()
    {
        foreach (var pid in pids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException)
            {
                // Gone already.
            }
        }

        foreach (var (toHost, run) in streams)
        {
            toHost.Writer.TryComplete();
            await run;
        }
    }

    private void Answer(StreamingMessage message, ChannelWriter<StreamingMessage> toHost)
    {
        var success = new StatusResult { Status = StatusResult.Types.Status.Success };
        var answer = message.ContentCase switch
        {
            StreamingMessage.ContentOneofCase.WorkerInitRequest => new StreamingMessage { WorkerInitResponse = new WorkerInitResponse { Result = success } },
            StreamingMessage.ContentOneofCase.FunctionsMetadataRequest => new StreamingMessage { FunctionMetadataResponse = new FunctionMetadataResponse { Result = success, FunctionMetadataResults = { function } } },
            StreamingMessage.ContentOneofCase.FunctionLoadRequest => new StreamingMessage { FunctionLoadResponse = new FunctionLoadResponse { FunctionId = message.FunctionLoadRequest.FunctionId, Result = success } },
            _ => null,
        };
        if (answer is null)
        {
            sentByHost.Writer.TryWrite(message);
            return;
        }

        answer.RequestId = message.RequestId;
        toHost.TryWrite(answer);
    }

    /// <summary>Answers an invocation the test received from <see cref="NextFromHostAsync"/>: it succeeded, returning <paramref name="returnValue"/>.</summary>
    public void Complete(InvocationRequest invocation, TypedData? returnValue = null) =>
        streams[^1].ToHost.Writer.TryWrite(new StreamingMessage
        {
            InvocationResponse = new InvocationResponse
            {
                InvocationId = invocation.InvocationId,
                Result = new StatusResult { Status = StatusResult.Types.Status.Success },
                ReturnValue = returnValue,
            },
        });

    private sealed class Reader(ChannelReader<StreamingMessage> messages) : IAsyncStreamReader<StreamingMessage>
    {
        public StreamingMessage Current { get; private set; } = null!;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            while (await messages.WaitToReadAsync(cancellationToken))
            {
                if (messages.TryRead(out var message))
                {
                    Current = message;
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class Writer(Action<StreamingMessage> received) : IServerStreamWriter<StreamingMessage>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(StreamingMessage message)
        {
            received(message);
            return Task.CompletedTask;
        }

        public Task WriteAsync(StreamingMessage message, CancellationToken cancellationToken) => WriteAsync(message);
    }
}

/// <summary>A <see cref="FakeTimeProvider"/> that also reports every timer created on it (a Task.Delay), by due time.</summary>
internal sealed class ClockWithTimers : FakeTimeProvider
{
    private readonly Channel<TimeSpan> created = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer created (in creation order; each is reported once).</summary>
    public async Task<TimeSpan> NextTimerAsync() => await created.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Forgets the timers created so far.</summary>
    public void ForgetTimers()
    {
        while (created.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>Waits for a timer due in exactly <paramref name="dueTime"/>, skipping others.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        try
        {
            while (await NextTimerAsync() != dueTime)
            {
            }
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"No timer due in {dueTime} was created.", e);
        }
    }

    /// <summary>Waits for a timer due in exactly <paramref name="dueTime"/> (skipping others) and moves time past it.</summary>
    public async Task AdvanceThroughAsync(TimeSpan dueTime)
    {
        await WaitForTimerAsync(dueTime);
        Advance(dueTime);
    }
}

/// <summary>Log lines (category: message) of every logger it creates.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<string> lines = new();

    public IReadOnlyCollection<string> Lines => lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category}: {formatter(state, exception)}");
    }
}
