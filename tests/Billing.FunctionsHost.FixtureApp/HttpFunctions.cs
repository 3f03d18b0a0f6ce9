using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Billing.FunctionsHost.FixtureApp;

internal sealed partial class HttpFunctions
{
    [Function("Echo")]
    public static IActionResult Echo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "echo/{id:int}/{name?}")] HttpRequest request,
        int id,
        string? name) =>
        new OkObjectResult(new
        {
            id,
            name,
            q = request.Query["q"].ToString(),
            invocationHeader = request.Headers["x-ms-invocation-id"].ToString().Length > 0,
        });

    [Function("Upload")]
    public static async Task<IActionResult> Upload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "upload")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long length = 0;
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }

        return new OkObjectResult(new { length, sha256 = Convert.ToHexString(hash.GetHashAndReset()) });
    }

    private static readonly ConcurrentDictionary<string, Gathering> Gatherings = new(StringComparer.Ordinal);

    /// <summary>
    /// Answers once <paramref name="count"/> requests with this key are in at the same time: a host that runs fewer
    /// invocations at once answers none of them.
    /// </summary>
    [Function("Gather")]
    public static async Task<IActionResult> Gather(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "gather/{key}/{count:int}")] HttpRequest request,
        string key,
        int count,
        CancellationToken cancellationToken)
    {
        var gathering = Gatherings.GetOrAdd(key, _ => new Gathering());
        if (Interlocked.Increment(ref gathering.Arrived) == count)
        {
            gathering.All.TrySetResult();
        }

        await gathering.All.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new OkObjectResult(new { key, count });
    }

    /// <summary>
    /// Sleeps <paramref name="ms"/> unless cancelled, and says when it starts and when it is cancelled. Only once it has
    /// started is the invocation in the worker's table of invocations it can cancel (the worker handles each message on
    /// a task of its own, so an InvocationCancel right behind its InvocationRequest can find nothing to cancel, on the
    /// real host too).
    /// </summary>
    [Function("Slow")]
    public static async Task<IActionResult> Slow(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "slow/{ms:int}")] HttpRequest request,
        int ms,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var logger = context.GetLogger<HttpFunctions>();
        LogSlowStarted(logger, request.Path.Value, context.InvocationId);
        try
        {
            await Task.Delay(ms, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogSlowCancelled(logger, request.Path.Value, context.InvocationId);
            throw;
        }

        return new OkObjectResult(new { slept = ms, path = request.Path.Value });
    }

    /// <summary>Like Slow, but deaf to its cancellation: what a function stuck in a call without a token looks like.</summary>
    [Function("Stubborn")]
    public static async Task<IActionResult> Stubborn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "stubborn/{ms:int}")] HttpRequest request,
        int ms)
    {
        await Task.Delay(ms, CancellationToken.None).ConfigureAwait(false);
        return new OkObjectResult(new { slept = ms, path = request.Path.Value });
    }

    [Function("Throw")]
    public static IActionResult Throw(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "throw")] HttpRequest request) =>
        throw new InvalidOperationException($"Fixture failure for {request.Path}.");

    [Function("Crash")]
    public static IActionResult Crash(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "crash")] HttpRequest request)
    {
        Environment.Exit(3);
        return new OkObjectResult(request.Path.Value);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fixture slow request {Path} started (Id={InvocationId})")]
    private static partial void LogSlowStarted(ILogger logger, string? path, string invocationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fixture slow request {Path} cancelled (Id={InvocationId})")]
    private static partial void LogSlowCancelled(ILogger logger, string? path, string invocationId);

    private sealed class Gathering
    {
        public int Arrived;

        public TaskCompletionSource All { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
