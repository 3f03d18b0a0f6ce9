namespace Billing.FunctionsHost.Worker;

/// <summary>The worker process exited or its stream closed: the current work fails, the supervisor restarts it.</summary>
internal sealed class WorkerUnavailableException(string message) : Exception(message)
{
}
