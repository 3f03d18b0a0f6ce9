using System.Text;
using Azure.Storage.Queues;
using Billing.Application.Usage;
using Billing.Infrastructure.Queues;
using Billing.TestSupport;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Tests.Queues;

/// <summary>The notification message docs/notifications.md documents is a contract with the product: its members, their case and the wire encoding.</summary>
public sealed class BillingNotificationSenderTests : IAsyncLifetime
{
    private readonly QueueServiceClient _service = QueueServiceFactory.Create(new QueueStorageOptions { ConnectionString = LocalEmulators.Storage });
    private readonly string _name = "notes-" + Guid.NewGuid().ToString("N")[..20];

    [Fact]
    public async Task A_threshold_reached_is_the_documented_camel_case_json_in_base64_on_a_queue_created_on_the_first_send()
    {
        var notification = new UsageThresholdReached
        {
            Id = "usage-threshold:user-1:month-2026-11:agent_runs:80",
            AccountId = "user-1",
            Meter = "agent_runs",
            Threshold = 80,
            Used = 16,
            Limit = 20,
            HardLimit = true,
            Plan = "FREE",
            PeriodKey = "month-2026-11",
            PeriodStart = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
            PeriodEnd = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
            OccurredAt = new DateTimeOffset(2026, 11, 21, 15, 17, 56, TimeSpan.Zero).AddTicks(2_472_784),
        };

        var sender = new BillingNotificationSender(_service, Options.Create(new QueueNameOptions { NotificationsQueueName = _name }));

        await sender.PublishAsync(notification, CancellationToken.None); // the queue does not exist yet
        await sender.PublishAsync(notification with { Id = "usage-threshold:user-1:month-2026-11:tokens:80", Meter = "tokens", Used = 0, HardLimit = false }, CancellationToken.None);

        var raw = new QueueClient(LocalEmulators.Storage, _name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var onTheWire = (await raw.PeekMessagesAsync(32)).Value.Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString()))).ToList();
        Assert.Equal(2, onTheWire.Count);
        foreach (var message in (await raw.PeekMessagesAsync(32)).Value) // the queue service's default: 7 days (docs/notifications.md)
        {
            Assert.InRange(message.ExpiresOn!.Value - message.InsertedOn!.Value, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        }

        Assert.Contains("\"meter\":\"tokens\",\"threshold\":80,\"used\":0,\"limit\":20,\"hardLimit\":false,", onTheWire[1], StringComparison.Ordinal); // a member at its default is written too
        Assert.Equal(
            """{"id":"usage-threshold:user-1:month-2026-11:agent_runs:80","type":"usage.threshold_reached","accountId":"user-1","meter":"agent_runs","threshold":80,"used":16,"limit":20,"hardLimit":true,"plan":"FREE","periodKey":"month-2026-11","periodStart":"2026-11-01T00:00:00+00:00","periodEnd":"2026-12-01T00:00:00+00:00","occurredAt":"2026-11-21T15:17:56.2472784+00:00"}""",
            onTheWire[0]);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _service.GetQueueClient(_name).DeleteIfExistsAsync();
}
