namespace Billing.FunctionsHost.Functions;

internal enum InvocationStatus
{
    Succeeded,
    Failed,
    TimedOut,
    WorkerUnavailable,
}

/// <summary>How an invocation ended; <see cref="Error"/> is a message, never a payload.</summary>
internal sealed record InvocationOutcome(InvocationStatus Status, string? Error = null)
{
    public static readonly InvocationOutcome Success = new(InvocationStatus.Succeeded);

    public bool Succeeded => Status == InvocationStatus.Succeeded;
}
