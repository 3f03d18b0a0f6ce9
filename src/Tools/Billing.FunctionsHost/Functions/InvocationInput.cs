using Billing.FunctionsHost.Rpc;

namespace Billing.FunctionsHost.Functions;

/// <summary>What a trigger passes to one invocation: its input bindings and its trigger metadata.</summary>
internal sealed record InvocationInput(IReadOnlyList<ParameterBinding> Inputs, IReadOnlyDictionary<string, TypedData> TriggerMetadata, string Reason);
