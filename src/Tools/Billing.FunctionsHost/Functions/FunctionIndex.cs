using System.Text.Json;
using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Rpc;

namespace Billing.FunctionsHost.Functions;

/// <summary>Turns the worker's FunctionMetadataResponse into definitions, refusing bindings this host cannot run.</summary>
internal static class FunctionIndex
{
    private static readonly string[] Triggers = [FunctionDefinition.HttpTrigger, FunctionDefinition.QueueTrigger, FunctionDefinition.TimerTrigger];
    private static readonly string[] Outputs = [FunctionDefinition.QueueOutput, FunctionDefinition.HttpOutput];

    public static IReadOnlyList<FunctionDefinition> Build(FunctionMetadataResponse response)
    {
        if (response.Result is { Status: StatusResult.Types.Status.Failure } failed)
        {
            throw new HostStartupException($"The worker failed to index its functions: {failed.Exception?.Message ?? failed.Result}");
        }

        return response.FunctionMetadataResults.Select(Describe).OrderBy(f => f.Name, StringComparer.Ordinal).ToArray();
    }

    private static FunctionDefinition Describe(RpcFunctionMetadata metadata)
    {
        var raw = metadata.RawBindings.Select(ParseRaw).Where(r => r.Name is not null)
            .ToDictionary(r => r.Name!, r => r.Properties, StringComparer.OrdinalIgnoreCase);
        var bindings = metadata.Bindings
            .Select(b => new BindingDescription(b.Key, b.Value, raw.GetValueOrDefault(b.Key) ?? new Dictionary<string, JsonElement>()))
            .ToArray();

        var triggers = bindings.Where(b => b.Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (triggers.Length != 1)
        {
            throw new HostStartupException($"Function '{metadata.Name}' must have exactly one trigger binding.");
        }

        var trigger = triggers[0];
        if (!Triggers.Contains(trigger.Type, StringComparer.OrdinalIgnoreCase))
        {
            throw new HostStartupException($"Function '{metadata.Name}' uses trigger type '{trigger.Type}', which the local host does not support.");
        }

        foreach (var binding in bindings.Where(b => b != trigger))
        {
            if (!binding.IsOutput || !Outputs.Contains(binding.Type, StringComparer.OrdinalIgnoreCase))
            {
                throw new HostStartupException(
                    $"Function '{metadata.Name}' uses {(binding.IsOutput ? "output" : "input")} binding type '{binding.Type}', which the local host does not support.");
            }
        }

        var load = new RpcFunctionMetadata
        {
            Name = metadata.Name,
            Directory = metadata.Directory,
            ScriptFile = metadata.ScriptFile,
            EntryPoint = metadata.EntryPoint,
            Language = metadata.Language,
            IsProxy = false,
        };
        load.Bindings.Add(metadata.Bindings);
        load.Properties.Add(metadata.Properties);
        var id = string.IsNullOrEmpty(metadata.FunctionId) ? metadata.Name : metadata.FunctionId;
        return new FunctionDefinition(metadata.Name, id, load, trigger, bindings.Where(b => b.IsOutput).ToArray());
    }

    private static (string? Name, Dictionary<string, JsonElement> Properties) ParseRaw(string json)
    {
        using var document = JsonDocument.Parse(json);
        var properties = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            properties[property.Name] = property.Value.Clone();
        }

        return (properties.TryGetValue("name", out var name) ? name.GetString() : null, properties);
    }
}
