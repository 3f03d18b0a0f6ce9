using Billing.FunctionApp.Functions;
using Billing.FunctionApp.Hosting.FunctionMetadata;

namespace Billing.FunctionApp.Hosting.CustomHandler;

/// <summary>
/// <c>POST /&lt;FunctionName&gt;</c> for every queue and timer function: the host's invocation protocol.
/// 200 with the host's response shape on success; 500 on failure so the host retries (queue) or records the failure (timer).
/// </summary>
public static class NonHttpFunctionEndpoints
{
    private const string InvocationIdHeader = "X-Azure-Functions-InvocationId";

    public static IEndpointRouteBuilder MapNonHttpFunctions(this IEndpointRouteBuilder endpoints, FunctionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        foreach (var function in catalog.OfKind(FunctionTriggerKind.Queue).Concat(catalog.OfKind(FunctionTriggerKind.Timer)))
        {
            endpoints.MapPost("/" + function.Name, (HttpContext context, FunctionInvoker invoker) => InvokeAsync(context, function, invoker))
                .WithName(function.Name)
                .ExcludeFromDescription();
        }

        return endpoints;
    }

    private static async Task<IResult> InvokeAsync(HttpContext context, FunctionDefinition function, FunctionInvoker invoker)
    {
        var invocationId = context.Request.Headers[InvocationIdHeader].FirstOrDefault() ?? Guid.NewGuid().ToString("N");
        var cancellationToken = context.RequestAborted;
        try
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
            var request = HostInvocationRequest.Parse(body.ToArray());
            if (function.Kind == FunctionTriggerKind.Queue)
            {
                var trigger = new QueueTrigger(
                    request.GetDataText(function.Trigger.Name),
                    request.GetMetadataText("Id"),
                    request.GetMetadataInt64("DequeueCount") ?? 1,
                    request.GetMetadataTime("InsertionTime"));
                await invoker.InvokeQueueAsync(function.Name, trigger, invocationId, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await invoker.InvokeTimerAsync(function.Name, ReadTimer(request, function.Trigger.Name), invocationId, cancellationToken).ConfigureAwait(false);
            }

            return Results.Json(HostInvocationResponse.Success, statusCode: StatusCodes.Status200OK);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The invoker has logged the details; the host only needs to know the invocation failed.
            return Results.Json(HostInvocationResponse.Failure($"{function.Name} failed: {exception.GetType().Name}: {exception.Message}"), statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    private static TimerTrigger ReadTimer(HostInvocationRequest request, string bindingName)
    {
        var timer = request.GetDataObject(bindingName);
        if (timer is not { ValueKind: System.Text.Json.JsonValueKind.Object } value)
        {
            return new TimerTrigger(false, null, null);
        }

        var isPastDue = value.TryGetProperty("IsPastDue", out var pastDue) && pastDue.ValueKind == System.Text.Json.JsonValueKind.True;
        DateTimeOffset? last = null;
        DateTimeOffset? next = null;
        if (value.TryGetProperty("ScheduleStatus", out var status) && status.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            last = status.TryGetProperty("Last", out var l) && l.TryGetDateTimeOffset(out var lv) ? lv : null;
            next = status.TryGetProperty("Next", out var n) && n.TryGetDateTimeOffset(out var nv) ? nv : null;
        }

        return new TimerTrigger(isPastDue, last, next);
    }
}
