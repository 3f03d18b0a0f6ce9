using Billing.FunctionsHost.Rpc;
using Grpc.Core;

namespace Billing.FunctionsHost.Worker;

/// <summary>The gRPC service the worker connects to: its first message must be StartStream with a known worker id.</summary>
internal sealed partial class FunctionRpcService(WorkerChannelRegistry registry, ILogger<FunctionRpcService> logger) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(
        IAsyncStreamReader<StreamingMessage> requestStream,
        IServerStreamWriter<StreamingMessage> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var first = requestStream.Current;
        var channel = first.ContentCase == StreamingMessage.ContentOneofCase.StartStream
            ? registry.Find(first.StartStream.WorkerId)
            : null;
        if (channel is null)
        {
            LogUnknownStream(logger, first.ContentCase.ToString(), first.StartStream?.WorkerId ?? string.Empty);
            return;
        }

        await channel.RunAsync(requestStream, responseStream, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a worker stream that began with {Content} (worker id '{WorkerId}').")]
    private static partial void LogUnknownStream(ILogger logger, string content, string workerId);
}
