using Microsoft.Extensions.Logging;

namespace Billing.Cosmos.Logging;

internal static partial class CosmosLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Debug, Message = "Account {AccountId} changed concurrently; retrying the update (attempt {Attempt} of {MaxAttempts})")]
    public static partial void AccountUpdateRetry(ILogger logger, string accountId, int attempt, int maxAttempts);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Account {AccountId} kept changing concurrently; gave up after {Attempts} attempts")]
    public static partial void AccountUpdateGaveUp(ILogger logger, string accountId, int attempts);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Created billing account {AccountId}")]
    public static partial void AccountCreated(ILogger logger, string accountId);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "Stripe customer {CustomerId} is already linked to account {LinkedAccountId}; refused linking it to {AccountId}")]
    public static partial void CustomerLinkedElsewhere(ILogger logger, string customerId, string linkedAccountId, string accountId);

    [LoggerMessage(EventId = 4120, Level = LogLevel.Information, Message = "Stripe event {EventId} ({EventType}) delivered again; status {Status}")]
    public static partial void DuplicateStripeEvent(ILogger logger, string eventId, string eventType, Billing.Application.StripeEvents.StripeEventStatus status);

    [LoggerMessage(EventId = 4130, Level = LogLevel.Information, Message = "Provisioned Cosmos DB database {Database} with containers {Accounts}, {StripeEvents}, {StripeCustomers}")]
    public static partial void Provisioned(ILogger logger, string database, string accounts, string stripeEvents, string stripeCustomers);

    [LoggerMessage(EventId = 4140, Level = LogLevel.Warning, Message = "Cosmos DB health check failed: {Reason}")]
    public static partial void Unhealthy(ILogger logger, string reason);
}
