namespace Billing.Application.Tests.StripeEvents.Simulation;

/// <summary>Runs a port call under the fault plan: maybe crash or interleave before it, maybe crash after it took effect.</summary>
internal static class FaultyCall
{
    public static async Task<T> RunAsync<T>(FaultPlan plan, string operation, Func<Task<T>> call)
    {
        await plan.BeforeAsync(operation);
        var result = await call();
        plan.After(operation);
        return result;
    }
}
