using Billing.FunctionApp.Http;
using Billing.Infrastructure.Queues;

namespace Billing.FunctionApp.Admin;

/// <summary>The <c>queue</c> query parameter of the poison endpoints: <c>stripe-events</c> (the default) or <c>invoice-jobs</c>.</summary>
internal static class PoisonQueueParameter
{
    public const string Name = "queue";

    /// <summary>The poison queue the request names, or the 400 that says which names exist.</summary>
    public static IPoisonMessages? Resolve(HttpRequest request, IEnumerable<IPoisonMessages> queues, out IResult? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(queues);
        var kind = PoisonQueueKinds.StripeEvents;
        if (request.Query.TryGetValue(Name, out var values))
        {
            kind = values.Count == 1 ? values[0] ?? "" : "";
        }

        var queue = queues.FirstOrDefault(q => string.Equals(q.Kind, kind, StringComparison.Ordinal));
        problem = queue is null ? Problems.Invalid(Name, $"Must be one of {string.Join(", ", PoisonQueueKinds.All)} (default {PoisonQueueKinds.StripeEvents}).") : null;
        return queue;
    }
}
