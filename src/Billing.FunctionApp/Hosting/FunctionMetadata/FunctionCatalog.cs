namespace Billing.FunctionApp.Hosting.FunctionMetadata;

/// <summary>Every function of the app, read from the same function.json files the Functions host reads.</summary>
public sealed class FunctionCatalog(IReadOnlyList<FunctionDefinition> functions)
{
    public IReadOnlyList<FunctionDefinition> All { get; } = functions;

    public IEnumerable<FunctionDefinition> OfKind(FunctionTriggerKind kind) => All.Where(f => f.Kind == kind);

    public FunctionDefinition Get(string name) =>
        All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"No function named '{name}' has a function.json (looked for {name}/function.json).");
}
