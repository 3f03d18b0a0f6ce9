using Billing.Application.Operations;
using Billing.FunctionApp.Http;

namespace Billing.FunctionApp.Admin;

/// <summary>The <c>queue</c> query parameter of the poison endpoints: <c>stripe-events</c> (the default) or <c>invoice-jobs</c>.</summary>
internal static class PoisonQueueParameter
{
    public const string Name = "queue";

    /// <summary>The poison queue kind the request names (the default when it names none), or null with the parameter refused.</summary>
    public static string? Resolve(QueryParameters query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var kind = query.Text(Name) ?? PoisonQueueKinds.StripeEvents;
        if (!PoisonQueueKinds.All.Contains(kind, StringComparer.Ordinal))
        {
            query.Refuse(Name, $"Must be one of {string.Join(", ", PoisonQueueKinds.All)} (default {PoisonQueueKinds.StripeEvents}).");
            return null;
        }

        return kind;
    }
}
