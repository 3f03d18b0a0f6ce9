using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.Application.StripeEvents;
using Billing.Cosmos.Accounts;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Serialization;
using Billing.Cosmos.StripeEvents;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;

namespace Billing.Cosmos.Tests.Serialization;

public sealed class DocumentSerializationTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Account_document_is_camel_case_with_type_schema_version_and_utc_instants()
    {
        var account = BillingAccount.Open(AccountId.Parse("user-42"), new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.FromHours(2))) with
        {
            StripeCustomerId = "cus_1",
            Subscription = new SubscriptionState
            {
                SubscriptionId = "sub_1",
                CustomerId = "cus_1",
                Status = SubscriptionStatus.PastDue,
                PlanCode = PlanCode.Parse("PRO"),
                PriceId = "price_pro_month",
                Interval = BillingInterval.Month,
                PastDueSince = T,
                StripeStateAsOf = T,
            },
        };

        var json = JsonNode.Parse(JsonSerializer.Serialize(AccountDocumentMapper.ToDocument(account), CosmosJson.Options))!.AsObject();

        Assert.Equal("account:user-42", (string?)json["id"]);
        Assert.Equal("user-42", (string?)json["accountId"]);
        Assert.Equal("account", (string?)json["type"]);
        Assert.Equal(2, (int?)json["schemaVersion"]);
        Assert.Equal("2026-11-21T10:00:00.0000000Z", (string?)json["createdAt"]);
        Assert.Equal("past_due", (string?)json["subscription"]!["status"]);
        Assert.Equal("month", (string?)json["subscription"]!["interval"]);
        Assert.Equal("PRO", (string?)json["subscription"]!["planCode"]);
        Assert.False(json.ContainsKey("_etag"));
        Assert.False(json.ContainsKey("trialUsedAt")); // nulls are omitted
    }

    [Fact]
    public void An_event_of_the_largest_payload_the_store_keeps_fits_a_Cosmos_item_whatever_its_characters()
    {
        // '"' is the worst a byte can do: the default encoder writes it as the six characters \u0022.
        var worst = new string('"', IStripeEventStore.MaxPayloadBytes);
        var document = new StripeEventDocument
        {
            Id = "evt_" + new string('x', 251),
            Type = DocumentTypes.StripeEvent,
            SchemaVersion = DocumentTypes.StripeEventSchemaVersion,
            EventType = "customer.subscription.pending_update_expired",
            StripeCreatedAt = T,
            ApiVersion = "2026-10-28.endive",
            Status = StripeEventStatus.Failed,
            Attempts = int.MaxValue,
            ReceivedAt = T,
            LastAttemptAt = T,
            CompletedAt = T,
            AccountId = new string('<', 128),
            Note = new string('"', CosmosStripeEventStore.MaxNoteLength),
            Payload = worst,
        };

        var stored = JsonSerializer.SerializeToUtf8Bytes(document, CosmosJson.Options);

        Assert.True(stored.Length > 6 * IStripeEventStore.MaxPayloadBytes, "the escaping this test guards against is in force");
        Assert.True(stored.Length < 2 * 1024 * 1024, $"{stored.Length} bytes: over Cosmos DB's 2 MB item limit");
    }

    [Fact]
    public void Reads_etag_and_keeps_unknown_fields_but_not_system_properties()
    {
        const string stored = """
            {"id":"account:u","accountId":"u","type":"account","schemaVersion":1,"version":3,
             "createdAt":"2026-11-21T10:00:00Z","updatedAt":"2026-11-21T10:00:00+01:00",
             "futureField":{"x":1},"_etag":"\"abc\"","_rid":"r1","_ts":1700000000}
            """;

        var document = JsonSerializer.Deserialize<AccountDocument>(stored, CosmosJson.Options)!;

        Assert.Equal("\"abc\"", document.ETag);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero), document.UpdatedAt);
        var preserved = document.PreservedFields()!;
        Assert.Equal(["futureField"], preserved.Keys);
        var rewritten = JsonNode.Parse(JsonSerializer.Serialize(AccountDocumentMapper.ToDocument(AccountDocumentMapper.ToDomain(document), document), CosmosJson.Options))!;
        Assert.Equal(1, (int?)rewritten["futureField"]!["x"]);
        Assert.Null(rewritten["_rid"]);
    }

    [Fact]
    public void Serializer_round_trips_through_streams()
    {
        var serializer = new SystemTextJsonCosmosSerializer(CosmosJson.Options);
        var instant = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

        using var stream = serializer.ToStream(new { when = instant, kind = BillingInterval.Year });
        var back = serializer.FromStream<JsonElement>(stream);

        Assert.Equal("2026-01-02T03:04:05.6780000Z", back.GetProperty("when").GetString());
        Assert.Equal("year", back.GetProperty("kind").GetString());
    }
}
