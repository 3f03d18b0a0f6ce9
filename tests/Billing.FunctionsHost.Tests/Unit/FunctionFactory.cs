using System.Text.Json;
using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Rpc;

namespace Billing.FunctionsHost.Tests.Unit;

internal static class FunctionFactory
{
    public static FunctionDefinition Http(string name, string? route, params string[] methods)
    {
        var raw = new Dictionary<string, object?> { ["name"] = "req", ["type"] = "httpTrigger", ["direction"] = "In", ["methods"] = methods };
        if (route is not null)
        {
            raw["route"] = route;
        }

        return Create(name, "httpTrigger", JsonSerializer.Serialize(raw));
    }

    public static FunctionDefinition Create(string name, string triggerType, string rawTrigger)
    {
        using var document = JsonDocument.Parse(rawTrigger);
        var properties = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.OrdinalIgnoreCase);
        var trigger = new BindingDescription("req", new BindingInfo { Type = triggerType }, properties);
        return new FunctionDefinition(name, name, new RpcFunctionMetadata { Name = name }, trigger, []);
    }
}
