using System.Collections.Concurrent;
using System.Threading.Channels;
using Billing.FunctionsHost.Rpc;
using Grpc.Core;

namespace Billing.FunctionsHost.Worker;

/// <summary>
/// The host side of one worker's EventStream: a single writer pump (gRPC stream writes must not overlap),
/// replies correlated by request id, function id or invocation id, and RpcLog entries forwarded to logging.
/// </summary>
internal sealed class WorkerChannel(string workerId, WorkerLogForwarder logs)
{
    private readonly Channel<StreamingMessage> outbound = Channel.CreateUnbounded<StreamingMessage>(new() { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> pending = new();
    private readonly TaskCompletionSource connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? failure;

    public string WorkerId { get; } = workerId;

    /// <summary>Completes when the worker's StartStream arrived; fails when the worker went away first.</summary>
    public Task Connected => connected.Task;

    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        connected.TrySetResult();
        var pump = PumpAsync(responses, cancellationToken);
        try
        {
            while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                Dispatch(requests.Current);
            }

            Fail(new WorkerUnavailableException("The worker closed its gRPC stream."));
        }
        catch (Exception e) when (e is IOException or Grpc.Core.RpcException or OperationCanceledException)
        {
            Fail(new WorkerUnavailableException("The worker's gRPC stream broke."));
        }

        await pump.ConfigureAwait(false);
    }

    /// <summary>Sends a message and waits for the reply correlated by <paramref name="key"/>.</summary>
    public async Task<StreamingMessage> RequestAsync(string key, StreamingMessage message, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!pending.TryAdd(key, reply))
        {
            throw new InvalidOperationException($"Duplicate request '{key}'.");
        }

        try
        {
            Send(message);
            var task = reply.Task;
            return timeout is { } t
                ? await task.WaitAsync(t, cancellationToken).ConfigureAwait(false)
                : await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            pending.TryRemove(key, out _);
        }
    }

    public void Send(StreamingMessage message)
    {
        if (!outbound.Writer.TryWrite(message))
        {
            throw Volatile.Read(ref failure) ?? new WorkerUnavailableException("The worker channel is closed.");
        }
    }

    /// <summary>Fails the connection wait and every pending request; later sends throw.</summary>
    public void Fail(Exception exception)
    {
        Interlocked.CompareExchange(ref failure, exception, null);
        outbound.Writer.TryComplete();
        connected.TrySetException(exception);
        foreach (var key in pending.Keys)
        {
            if (pending.TryRemove(key, out var reply))
            {
                reply.TrySetException(exception);
            }
        }
    }

    public static string InvocationKey(string invocationId) => "invocation:" + invocationId;

    public static string LoadKey(string functionId) => "load:" + functionId;

    public static string RequestKey(string requestId) => "request:" + requestId;

    private async Task PumpAsync(IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in outbound.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await responses.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException or Grpc.Core.RpcException)
        {
            Fail(new WorkerUnavailableException("Writing to the worker's gRPC stream failed."));
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        var key = message.ContentCase switch
        {
            StreamingMessage.ContentOneofCase.RpcLog => null,
            StreamingMessage.ContentOneofCase.InvocationResponse => InvocationKey(message.InvocationResponse.InvocationId),
            StreamingMessage.ContentOneofCase.FunctionLoadResponse => LoadKey(message.FunctionLoadResponse.FunctionId),
            _ => RequestKey(message.RequestId),
        };
        if (key is null)
        {
            logs.Forward(message.RpcLog);
        }
        else if (pending.TryRemove(key, out var reply))
        {
            reply.TrySetResult(message);
        }
    }
}
