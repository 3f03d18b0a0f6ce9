using System.Text.Json;
using Billing.FunctionsHost.Rpc;

namespace Billing.FunctionsHost.Functions;

/// <summary>One binding of an indexed function: the typed BindingInfo plus the attribute properties from raw_bindings.</summary>
internal sealed record BindingDescription(string Name, BindingInfo Info, IReadOnlyDictionary<string, JsonElement> Properties)
{
    public string Type => Info.Type;

    public bool IsOutput => Info.Direction == BindingInfo.Types.Direction.Out;

    public bool SupportsDeferredBinding =>
        Info.Properties.TryGetValue("supportsDeferredBinding", out var value) && bool.TryParse(value, out var flag) && flag;

    public string? GetString(string name) =>
        Properties.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public bool? GetBool(string name) =>
        Properties.TryGetValue(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out var flag) => flag,
            _ => null,
        }
        : null;

    public IReadOnlyList<string> GetStrings(string name) =>
        Properties.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
            : [];
}
