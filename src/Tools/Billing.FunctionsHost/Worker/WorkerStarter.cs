using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Rpc;

namespace Billing.FunctionsHost.Worker;

/// <summary>Spawns a worker and runs the handshake: StartStream, init, metadata, one FunctionLoadRequest per function.</summary>
internal sealed partial class WorkerStarter(
    HostConfiguration configuration,
    WorkerChannelRegistry registry,
    WorkerLogForwarder logs,
    TimeProvider time,
    ILoggerFactory loggerFactory)
{
    public static readonly TimeSpan StartStreamTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan InitTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan IndexTimeout = TimeSpan.FromSeconds(60);
    private readonly ILogger logger = loggerFactory.CreateLogger("Host.Worker");
    private readonly ILogger processOutput = loggerFactory.CreateLogger("Worker.Process");

    /// <summary>
    /// Throws <see cref="WorkerUnavailableException"/> when the process died (worth a restart) and
    /// <see cref="HostStartupException"/> for problems a restart cannot fix.
    /// </summary>
    public async Task<WorkerSession> StartAsync(Uri grpcUri, CancellationToken cancellationToken)
    {
        var workerId = Guid.NewGuid().ToString();
        var channel = new WorkerChannel(workerId, logs);
        registry.Register(channel);
        WorkerProcess? process = null;
        try
        {
            process = WorkerProcess.Start(configuration, grpcUri, workerId, processOutput);
            LogStarted(logger, process.Id);
            _ = process.Exited.ContinueWith(
                exited => channel.Fail(new WorkerUnavailableException($"The worker process exited with code {exited.Result}.")),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);

            await WaitAsync(channel.Connected, StartStreamTimeout, "The worker did not connect (StartStream) within 60 seconds.", cancellationToken).ConfigureAwait(false);
            var init = await RequestAsync(channel, new StreamingMessage { WorkerInitRequest = InitRequest() }, InitTimeout,
                "The worker did not answer WorkerInitRequest within 10 seconds.", cancellationToken).ConfigureAwait(false);
            EnsureSuccess(init.WorkerInitResponse.Result, "The worker failed to initialize");
            Uri? httpUri = init.WorkerInitResponse.Capabilities.TryGetValue("HttpUri", out var uri) ? new Uri(uri) : null;

            var metadata = await RequestAsync(channel, new StreamingMessage
            {
                FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = configuration.ScriptRoot },
            }, IndexTimeout, "The worker did not return its function metadata within 60 seconds.", cancellationToken).ConfigureAwait(false);
            var functions = FunctionIndex.Build(metadata.FunctionMetadataResponse);
            if (httpUri is null && functions.Any(f => f.Trigger.Type.Equals(FunctionDefinition.HttpTrigger, StringComparison.OrdinalIgnoreCase)))
            {
                throw new HostStartupException(
                    "The worker did not advertise HttpUri: HTTP functions need ASP.NET Core integration (ConfigureFunctionsWebApplication).");
            }

            await Task.WhenAll(functions.Select(f => LoadAsync(channel, f, cancellationToken))).ConfigureAwait(false);
            LogReady(logger, process.Id, functions.Count);
            return new WorkerSession(process, channel, functions, httpUri, time.GetUtcNow());
        }
        catch
        {
            registry.Unregister(channel);
            channel.Fail(new WorkerUnavailableException("The worker start was abandoned."));
            process?.Kill();
            process?.Dispose();
            throw;
        }
    }

    private WorkerInitRequest InitRequest()
    {
        var request = new WorkerInitRequest
        {
            HostVersion = "4.1037.0",
            WorkerDirectory = configuration.ScriptRoot,
            FunctionAppDirectory = configuration.ScriptRoot,
        };
        request.Capabilities["MultiStream"] = "10";
        return request;
    }

    private static async Task LoadAsync(WorkerChannel channel, FunctionDefinition function, CancellationToken cancellationToken)
    {
        var reply = await channel.RequestAsync(
            WorkerChannel.LoadKey(function.FunctionId),
            new StreamingMessage { FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function.LoadMetadata } },
            IndexTimeout,
            cancellationToken).ConfigureAwait(false);
        EnsureSuccess(reply.FunctionLoadResponse.Result, $"Function '{function.Name}' failed to load");
    }

    private static async Task<StreamingMessage> RequestAsync(WorkerChannel channel, StreamingMessage message, TimeSpan timeout, string timeoutMessage, CancellationToken cancellationToken)
    {
        message.RequestId = Guid.NewGuid().ToString();
        try
        {
            return await channel.RequestAsync(WorkerChannel.RequestKey(message.RequestId), message, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new HostStartupException(timeoutMessage);
        }
    }

    private async Task WaitAsync(Task task, TimeSpan timeout, string timeoutMessage, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new HostStartupException(timeoutMessage);
        }
    }

    private static void EnsureSuccess(StatusResult? result, string what)
    {
        if (result is null || result.Status != StatusResult.Types.Status.Success)
        {
            throw new HostStartupException($"{what}: {result?.Exception?.Message ?? result?.Result ?? "no result"}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker process started (pid {Pid}).")]
    private static partial void LogStarted(ILogger logger, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker process {Pid} initialized; {Count} functions loaded.")]
    private static partial void LogReady(ILogger logger, int pid, int count);
}
