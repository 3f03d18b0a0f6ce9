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
using Microsoft.Extensions.Logging.Testing;

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
    private readonly Uri? httpUri;
    private readonly WorkerChannelRegistry registry = new();
    private readonly Channel<StreamingMessage> sentByHost = Channel.CreateUnbounded<StreamingMessage>();

    /// <param name="httpUri">The worker's own HTTP server, advertised at init (HttpUri) for HTTP functions.</param>
    public ScriptedWorker(ClockWithTimers time, RpcFunctionMetadata function, HostJsonOptions hostJson, AppSettings settings, Uri? httpUri = null)
    {
        this.function = function;
        this.httpUri = httpUri;
        var script = $"printf '%s\\n' \"$@\" > '{argumentsDirectory}/'$$.tmp && mv '{argumentsDirectory}/'$$.tmp '{argumentsDirectory}/'$$.args; exec sleep 600";
        var configuration = new HostConfiguration(argumentsDirectory, 0, argumentsDirectory, [], settings, hostJson, new WorkerConfig("/bin/sh", ["-c", script], "scripted-worker", []));
        Loggers = new LoggerFactory([new FakeLoggerProvider(Log)]);
        Supervisor = new WorkerSupervisor(new WorkerStarter(configuration, registry, new WorkerLogForwarder(Loggers), time, Loggers), registry, time, Loggers);
        Queues = new QueueClientFactory(settings, hostJson);
        Invoker = new FunctionInvoker(Supervisor, new QueueOutputWriter(Queues), hostJson, time, Loggers);
    }

    /// <summary>What the host logged, through <see cref="Loggers"/>.</summary>
    public FakeLogCollector Log { get; } = new();

    public ILoggerFactory Loggers { get; }

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

    /// <summary>An HTTP-triggered function "Serve" on GET <paramref name="route"/>, answering through its return value.</summary>
    public static RpcFunctionMetadata HttpFunction(string route) => new()
    {
        Name = "Serve",
        FunctionId = "serve-id",
        Bindings =
        {
            ["req"] = new BindingInfo { Type = "httpTrigger", Direction = BindingInfo.Types.Direction.In },
            ["$return"] = new BindingInfo { Type = "http", Direction = BindingInfo.Types.Direction.Out },
        },
        RawBindings =
        {
            $$"""{ "name": "req", "type": "httpTrigger", "direction": "In", "methods": ["get"], "route": "{{route}}" }""",
            """{ "name": "$return", "type": "http", "direction": "Out" }""",
        },
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

    /// <summary>Kills every worker process the host started, connected or not.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var pid in Directory.GetFiles(argumentsDirectory, "*.args").Select(f => int.Parse(Path.GetFileNameWithoutExtension(f))))
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

        Loggers.Dispose();
    }

    private void Answer(StreamingMessage message, ChannelWriter<StreamingMessage> toHost)
    {
        var success = new StatusResult { Status = StatusResult.Types.Status.Success };
        var answer = message.ContentCase switch
        {
            StreamingMessage.ContentOneofCase.WorkerInitRequest => new StreamingMessage { WorkerInitResponse = InitResponse(success) },
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

    private WorkerInitResponse InitResponse(StatusResult success)
    {
        var response = new WorkerInitResponse { Result = success };
        if (httpUri is not null)
        {
            response.Capabilities["HttpUri"] = httpUri.ToString();
        }

        return response;
    }

    /// <summary>Answers an invocation the test received from <see cref="NextFromHostAsync"/>: it succeeded, returning <paramref name="returnValue"/>.</summary>
    public void Complete(InvocationRequest invocation, TypedData? returnValue = null) => Respond(invocation, StatusResult.Types.Status.Success, returnValue);

    /// <summary>Answers an invocation the test received from <see cref="NextFromHostAsync"/>: the function threw.</summary>
    public void Fail(InvocationRequest invocation) => Respond(invocation, StatusResult.Types.Status.Failure, null);

    private void Respond(InvocationRequest invocation, StatusResult.Types.Status status, TypedData? returnValue) =>
        streams[^1].ToHost.Writer.TryWrite(new StreamingMessage
        {
            InvocationResponse = new InvocationResponse
            {
                InvocationId = invocation.InvocationId,
                Result = new StatusResult { Status = status },
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
