using System.Net;
using System.Text.Json;
using Billing.Stripe;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.Stripe.Errors;
using Billing.Stripe.Meters;
using Billing.StripeEmulator.Tests.ClientCompatibility.Support;

namespace Billing.StripeEmulator.Tests.ClientCompatibility;

[Collection(SharedEmulator.Name)]
public sealed class MeterEventClientTests(ClientEmulatorFixture fixture) : IAsyncLifetime
{
    private IStripeClient Stripe => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_meter_event_is_recorded_with_its_identifier_payload_and_timestamp()
    {
        var customer = (await Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "usage@example.com" })).Id;
        var usedAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).AddHours(-1);

        var reported = await Stripe.BillingMeterEvents.CreateAsync(
            MeterEventCreateRequest.ForCustomer("api_requests", customer, 42, identifier: $"usage:{customer}:batch-1", timestamp: usedAt),
            new StripeRequestOptions { IdempotencyKey = $"meter:{customer}:batch-1" });
        var unnamed = await Stripe.BillingMeterEvents.CreateAsync(MeterEventCreateRequest.ForCustomer("api_requests", customer, 8));
        var recorded = await RecordedAsync(customer);

        Assert.Equal(StripeObjectTypes.MeterEvent, reported.ObjectType);
        Assert.Equal("api_requests", reported.EventName);
        Assert.Equal($"usage:{customer}:batch-1", reported.Identifier);
        Assert.Equal(usedAt, reported.Timestamp);
        Assert.Equal(customer, reported.Payload![MeterEventPayloadKeys.StripeCustomerId]);
        Assert.Equal("42", reported.Payload[MeterEventPayloadKeys.Value]);
        Assert.NotNull(reported.Created);
        Assert.False(reported.Livemode);
        Assert.False(string.IsNullOrEmpty(unnamed.Identifier));
        Assert.NotEqual(reported.Identifier, unnamed.Identifier);
        Assert.Equal(2, recorded.GetProperty("data").GetArrayLength());
        Assert.Equal("50", recorded.GetProperty("total_value").GetString());
    }

    [Fact]
    public async Task A_repeated_identifier_is_rejected_once_without_retries()
    {
        var customer = (await Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "dup@example.com" })).Id;
        await Stripe.BillingMeterEvents.CreateAsync(MeterEventCreateRequest.ForCustomer("api_requests", customer, 1, identifier: "usage-1"));
        fixture.Requests.Clear();

        var error = await Assert.ThrowsAsync<StripeApiException>(() =>
            Stripe.BillingMeterEvents.CreateAsync(MeterEventCreateRequest.ForCustomer("api_requests", customer, 1, identifier: "usage-1")));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(StripeErrorTypes.InvalidRequestError, error.ErrorType);
        Assert.Equal("identifier", error.Param);
        Assert.Contains("usage-1", error.Message, StringComparison.Ordinal);
        Assert.Single(fixture.Requests.Exchanges);
        Assert.Equal(1, (await RecordedAsync(customer)).GetProperty("data").GetArrayLength());
    }

    private async Task<JsonElement> RecordedAsync(string customer)
    {
        var json = await fixture.Emulator.Controls.GetStringAsync(new Uri($"/_emulator/billing/meter_events?customer={customer}", UriKind.Relative));
        return JsonDocument.Parse(json).RootElement.Clone();
    }
}
