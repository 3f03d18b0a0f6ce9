using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Rpc;
using Microsoft.AspNetCore.Routing;

namespace Billing.FunctionsHost.Http;

/// <summary>
/// The InvocationRequest side of a proxied HTTP call: an empty RpcHttp as the trigger input, and trigger metadata with
/// query and route values (strings) plus <c>Query</c> and <c>Headers</c> as JSON objects.
/// </summary>
internal static class HttpTriggerData
{
    public static InvocationInput Create(BindingDescription trigger, HttpRequest request, RouteValueDictionary routeValues)
    {
        var metadata = new Dictionary<string, TypedData>(StringComparer.OrdinalIgnoreCase);
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in query)
        {
            if (!name.Equals("code", StringComparison.OrdinalIgnoreCase))
            {
                metadata[name] = TypedDataFactory.String(value);
            }
        }

        foreach (var (name, value) in routeValues)
        {
            if (value is not null)
            {
                metadata[name] = TypedDataFactory.String(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
            }
        }

        metadata["Query"] = TypedDataFactory.Json(query);
        metadata["Headers"] = TypedDataFactory.Json(request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
        var input = TypedDataFactory.Binding(trigger.Name, new TypedData { Http = new RpcHttp() });
        return new InvocationInput([input], metadata, $"This function was programmatically called via the host APIs ({request.Method} {request.Path}).");
    }
}
