using Billing.FunctionApp.Hosting.FunctionMetadata;

namespace Billing.FunctionApp.Hosting;

/// <summary>Maps an HTTP function at the public path and methods its function.json declares, so the host's route and the server's route cannot drift apart.</summary>
public static class HttpFunctionEndpoints
{
    /// <summary>
    /// Maps <paramref name="handler"/> for the declared methods except OPTIONS. A function declares OPTIONS only so that
    /// the Functions host forwards CORS preflight requests; the CORS middleware answers them (the endpoint needs CORS
    /// metadata, e.g. <c>RequireCors</c>), and the handler never runs for them.
    /// </summary>
    public static RouteHandlerBuilder MapHttpFunction(this IEndpointRouteBuilder endpoints, string functionName, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var function = Http(endpoints, functionName);
        var methods = function.HttpMethods.Where(m => m != HttpMethods.Options).ToList();
        return endpoints.MapMethods(function.Path!, methods, handler).WithName(functionName);
    }

    public static FunctionDefinition Http(IEndpointRouteBuilder endpoints, string functionName)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var function = endpoints.ServiceProvider.GetRequiredService<FunctionCatalog>().Get(functionName);
        return function.Kind == FunctionTriggerKind.Http
            ? function
            : throw new InvalidOperationException($"{functionName} is not an HTTP function.");
    }
}
