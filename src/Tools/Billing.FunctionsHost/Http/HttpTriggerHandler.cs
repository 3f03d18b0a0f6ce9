using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Hosting;
using Billing.FunctionsHost.Worker;

namespace Billing.FunctionsHost.Http;

/// <summary>
/// Serves the public port: admin status, CORS, route and method matching, then forwards the request to the worker
/// while sending the matching InvocationRequest, and waits for both.
/// </summary>
internal sealed partial class HttpTriggerHandler(
    HostState state,
    FunctionInvoker invoker,
    HttpForwarder forwarder,
    CorsPolicy cors,
    TimeProvider time,
    ILoggerFactory loggerFactory)
{
    public const long MaxRequestBodySize = 100L * 1024 * 1024;
    private readonly ILogger logger = loggerFactory.CreateLogger("Host.Http");

    public async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path.Equals("/admin/host/status", StringComparison.OrdinalIgnoreCase))
        {
            await WriteStatusAsync(context).ConfigureAwait(false);
            return;
        }

        if (cors.TryHandlePreflight(context))
        {
            return;
        }

        cors.AddHeaders(context);
        if (state.Routes is not { } routes)
        {
            await Problem.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "The host is not running.").ConfigureAwait(false);
            return;
        }

        var match = routes.Match(context.Request.Method, context.Request.Path.Value ?? "/");
        if (match.Route is null)
        {
            // A route a function serves with other methods is 404 too: the real host constrains each route by its
            // methods, so no route matches (azure-functions-host#10098 asks for 405; it is not done).
            await Problem.WriteAsync(context, StatusCodes.Status404NotFound, match.AllowedMethods.Count > 0
                ? $"No function accepts {context.Request.Method} on this route."
                : "No function matches this route.").ConfigureAwait(false);

            return;
        }

        if (context.Request.ContentLength > MaxRequestBodySize)
        {
            await Problem.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "The request body is too large.").ConfigureAwait(false);
            return;
        }

        WorkerSession? session;
        try
        {
            session = await invoker.WorkerForAsync(match.Route.Function, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // The client went away.
        }

        if (session is not { HttpUri: { } workerUri })
        {
            // The real host invokes anyway and fails ("Did not find any initialized language workers").
            AnswerFailedInvocation(context);
            return;
        }

        await ProxyAsync(context, session, workerUri, match).ConfigureAwait(false);
    }

    private async Task ProxyAsync(HttpContext context, WorkerSession session, Uri workerUri, RouteMatch match)
    {
        var function = match.Route!.Function;
        var invocationId = Guid.NewGuid().ToString();
        using var timeout = new CancellationTokenSource(invoker.Timeout ?? Timeout.InfiniteTimeSpan, time);
        using var forwardCancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timeout.Token);

        var input = HttpTriggerData.Create(function.Trigger, context.Request, match.Values!);
        var invocation = invoker.InvokeAsync(session, function, invocationId, input, context.RequestAborted);
        HttpResponseMessage response;
        try
        {
            response = await forwarder.SendAsync(context, workerUri, invocationId, forwardCancellation.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTooLarge(e))
        {
            await Problem.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "The request body is too large.").ConfigureAwait(false);
            await forwardCancellation.CancelAsync().ConfigureAwait(false);
            await invocation.ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            // The worker died (its exit fails the invocation, as GrpcWorkerChannel.TryFailExecutions does) or the function
            // timed out. On the real host the forwarder's 502 is not sent yet when the failed invocation reaches the
            // ExceptionMiddleware, and a request the forwarder could not deliver fails its invocation in any case
            // (DefaultHttpProxyService.EnsureSuccessfulForwardingAsync).
            await invocation.ConfigureAwait(false);
            AnswerFailedInvocation(context);
            return;
        }
        catch (OperationCanceledException)
        {
            return; // The client went away.
        }

        using (response)
        {
            try
            {
                await HttpForwarder.CopyResponseAsync(response, context, forwardCancellation.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                LogResponseBroken(logger, function.Name, invocationId);
                context.Abort();
            }
        }

        if (!(await invocation.ConfigureAwait(false)).Succeeded)
        {
            AnswerFailedInvocation(context);
        }
    }

    /// <summary>
    /// A failed invocation ends the request as on the real host, where the failure reaches the WebHost's
    /// <c>ExceptionMiddleware</c> (azure-functions-host <c>ExceptionMiddleware.Invoke</c>): a response not started yet
    /// (the forwarder copied the worker's status and headers but no body, as for the empty 200 the worker answers for
    /// a function that threw) becomes a 500 with no body. Past that the middleware rethrows to Kestrel, which ends the
    /// connection without completing the answer (<c>HttpProtocol.ProduceEnd</c>: no final chunk); this host throws to
    /// its Kestrel the same way.
    /// </summary>
    private static void AnswerFailedInvocation(HttpContext context)
    {
        if (context.Response.HasStarted)
        {
            throw new InvalidOperationException("The invocation failed after its response started: the answer is left incomplete, as the Functions host leaves it.");
        }

        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
    }

    private static bool IsTooLarge(Exception exception)
    {
        for (var e = (Exception?)exception; e is not null; e = e.InnerException)
        {
            if (e is Microsoft.AspNetCore.Http.BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
            {
                return true;
            }
        }

        return false;
    }

    private Task WriteStatusAsync(HttpContext context)
    {
        var running = state.Phase == HostPhase.Running;
        context.Response.StatusCode = running ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        return context.Response.WriteAsJsonAsync(new { state = state.Phase.ToString() }, context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The response of '{Function}' (Id={InvocationId}) broke off while streaming.")]
    private static partial void LogResponseBroken(ILogger logger, string function, string invocationId);
}
