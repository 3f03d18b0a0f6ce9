using System.Text.Json;
using Billing.FunctionsHost.Rpc;

namespace Billing.FunctionsHost.Functions;

/// <summary>TypedData the way the real host sends binding data: strings as strings, everything else as JSON text.</summary>
internal static class TypedDataFactory
{
    public static TypedData String(string value) => new() { String = value };

    public static TypedData Json(string json) => new() { Json = json };

    public static TypedData Json<T>(T value) => new() { Json = JsonSerializer.Serialize(value) };

    public static ParameterBinding Binding(string name, TypedData data) => new() { Name = name, Data = data };
}
