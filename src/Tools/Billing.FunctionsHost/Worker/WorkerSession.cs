using Billing.FunctionsHost.Functions;

namespace Billing.FunctionsHost.Worker;

/// <summary>A started, initialized worker with its functions loaded.</summary>
internal sealed record WorkerSession(
    WorkerProcess Process,
    WorkerChannel Channel,
    IReadOnlyList<FunctionDefinition> Functions,
    Uri? HttpUri,
    DateTimeOffset StartedAt)
{
    public string FunctionId(string functionName) =>
        Functions.FirstOrDefault(f => f.Name == functionName)?.FunctionId
        ?? throw new WorkerUnavailableException($"The restarted worker no longer has function '{functionName}'.");
}
