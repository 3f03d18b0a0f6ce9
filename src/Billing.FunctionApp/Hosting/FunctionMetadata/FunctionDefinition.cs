namespace Billing.FunctionApp.Hosting.FunctionMetadata;

public enum FunctionTriggerKind
{
    Http,
    Queue,
    Timer,
}

/// <summary>A function as declared by its function.json, with %SETTING% references already resolved.</summary>
public sealed record FunctionDefinition
{
    public required string Name { get; init; }

    public required FunctionTriggerKind Kind { get; init; }

    /// <summary>The trigger binding (its <c>name</c> is the key of the trigger data in the host's payload).</summary>
    public required FunctionBinding Trigger { get; init; }

    /// <summary>HTTP: the public path, e.g. <c>/api/billing/plans</c>.</summary>
    public string? Path { get; init; }

    /// <summary>HTTP: upper-case methods, e.g. GET.</summary>
    public IReadOnlyList<string> HttpMethods { get; init; } = [];

    /// <summary>Queue: the resolved queue name.</summary>
    public string? QueueName { get; init; }

    /// <summary>Timer: the resolved 6-field NCRONTAB schedule.</summary>
    public string? Schedule { get; init; }
}
