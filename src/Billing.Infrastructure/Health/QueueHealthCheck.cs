using System.Globalization;
using Azure;
using Billing.Infrastructure.Queues;

namespace Billing.Infrastructure.Health;

/// <summary>Healthy when the Stripe events queue answers a properties read (its approximate length is reported).</summary>
internal sealed class QueueHealthCheck(StripeEventQueues queues) : IDependencyCheck
{
    public string Name => "queues";

    public async Task<(bool IsHealthy, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var properties = await queues.Main.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
            return (true, string.Create(CultureInfo.InvariantCulture, $"Queue '{queues.Main.Name}' holds about {properties.Value.ApproximateMessagesCount} message(s)."));
        }
        catch (RequestFailedException exception)
        {
            return (false, exception.Status == 0
                ? $"Queue storage could not be reached ({exception.InnerException?.GetType().Name ?? "no answer"})."
                : string.Create(CultureInfo.InvariantCulture, $"Queue '{queues.Main.Name}' answered {exception.Status} {exception.ErrorCode}."));
        }
        catch (AggregateException exception)
        {
            return (false, $"Queue storage could not be reached ({exception.InnerExceptions.FirstOrDefault()?.GetType().Name})."); // Azure.Core gave up retrying
        }
    }
}
