using Billing.FunctionApp.Http;
using Billing.Infrastructure.Queues;

namespace Billing.FunctionApp.Admin;

/// <summary>The <c>queue</c> query parameter of the poison endpoints: <c>stripe-events</c> (the default) or <c>invoice-jobs</c>.</summary>
internal static class PoisonQueueParameter
{
    public const string Name = "queue";

    /// <summary>The poison queue the request names (the default when it names none), or null with the parameter refused.</summary>
    public static IPoisonMessages? Resolve(QueryParameters query, IEnumerable<IPoisonMessages> queues)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(queues);
        var kind = query.Text(Name) ?? PoisonQueueKinds.StripeEvents;
        var queue = queues.FirstOrDefault(q => string.Equals(q.Kind, kind, StringComparison.Ordinal));
        if (queue is null)
        {
            query.Refuse(Name, $"Must be one of {string.Join(", ", PoisonQueueKinds.All)} (default {PoisonQueueKinds.StripeEvents}).");
        }

        return queue;
    }
}
