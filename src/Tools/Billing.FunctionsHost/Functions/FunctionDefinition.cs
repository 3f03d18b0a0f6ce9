using Billing.FunctionsHost.Rpc;

namespace Billing.FunctionsHost.Functions;

/// <summary>A function as the worker indexed it: its load metadata, its trigger and its output bindings.</summary>
internal sealed record FunctionDefinition(
    string Name,
    string FunctionId,
    RpcFunctionMetadata LoadMetadata,
    BindingDescription Trigger,
    IReadOnlyList<BindingDescription> Outputs)
{
    public const string HttpTrigger = "httpTrigger";
    public const string QueueTrigger = "queueTrigger";
    public const string TimerTrigger = "timerTrigger";
    public const string QueueOutput = "queue";
    public const string HttpOutput = "http";
}
