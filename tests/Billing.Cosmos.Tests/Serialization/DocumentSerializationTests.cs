using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.Application.StripeEvents;
using Billing.Cosmos.Accounts;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Serialization;
using Billing.Cosmos.StripeEvents;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
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

    /// <summary>
    /// Every field of an account document as data-model.md names it: what a deployed version stored reads into the same
    /// account (a renamed member would read an older document's field as absent), and this version writes it back alike.
    /// </summary>
    [Fact]
    public void An_account_document_of_the_documented_shape_reads_into_every_field_and_is_written_back_the_same()
    {
        const string stored = """
            {
              "id": "account:user-42", "type": "account", "schemaVersion": 2, "accountId": "user-42", "version": 7,
              "createdAt": "2026-11-01T09:00:00.0000000Z", "updatedAt": "2026-11-21T10:00:02.1234567Z",
              "stripeCustomerId": "cus_Q1w2e3", "trialUsedAt": "2026-11-01T09:05:00.0000000Z",
              "localTrial": { "planCode": "TRIAL", "startedAt": "2026-11-01T09:05:00.0000000Z", "endsAt": "2026-11-15T09:05:00.0000000Z" },
              "addOns": [
                { "grantId": "cs:cs_test_b2", "code": "EXTRA_PROJECTS_5", "meter": "projects", "units": 5, "grantedAt": "2026-11-12T08:00:00.0000000Z",
                  "expiresAt": "2026-12-12T08:00:00.0000000Z", "periodKey": "sub-20261110T100000Z", "paymentIntentId": "pi_b2", "revokedAt": "2026-11-13T08:00:00.0000000Z" }
              ],
              "subscription": {
                "subscriptionId": "sub_9z8y7x", "customerId": "cus_Q1w2e3", "status": "canceled", "planCode": "PRO", "priceId": "price_pro_month",
                "interval": "month", "currentPeriodStart": "2026-11-10T10:00:00.0000000Z", "currentPeriodEnd": "2026-12-10T10:00:00.0000000Z",
                "cancelAtPeriodEnd": true, "cancelAt": "2026-12-10T10:00:00.0000000Z", "canceledAt": "2026-11-20T10:00:00.0000000Z",
                "endedAt": "2026-11-21T10:00:00.0000000Z", "trialStart": "2026-10-27T10:00:00.0000000Z", "trialEnd": "2026-11-10T10:00:00.0000000Z",
                "latestInvoiceId": "in_1a2b3c", "pastDueSince": "2026-11-19T10:00:00.0000000Z", "stripeStateAsOf": "2026-11-21T10:00:05.0000000Z",
                "periodEndedEarly": { "key": "sub-20261110T100000Z", "start": "2026-11-10T10:00:00.0000000Z", "end": "2026-11-21T10:00:00.0000000Z" }
              },
              "customerGeneration": 1,
              "formerStripeCustomerIds": ["cus_Old111"],
              "openCheckout": { "sessionId": "cs_test_a1", "url": "https://checkout.stripe.com/c/pay/cs_test_a1", "planCode": "BASIC", "interval": "year",
                                "priceId": "price_basic_year", "expiresAt": "2026-11-22T10:00:00.0000000Z", "trialDays": 14,
                                "successUrl": "https://app.example/ok", "cancelUrl": "https://app.example/back" },
              "lastPaidPlan": "PRO",
              "everPaid": true,
              "duplicateSubscriptions": [
                { "subscriptionId": "sub_dup1", "keptSubscriptionId": "sub_9z8y7x", "refundedMinorUnits": 1900, "refundedCurrency": "usd", "resolvedAt": "2026-11-10T10:00:07.0000000Z" }
              ],
              "earlyReversals": [ { "paymentIntentId": "pi_c3", "at": "2026-11-14T08:00:00.0000000Z" } ]
            }
            """;
        static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);
        var expected = new BillingAccount
        {
            Id = AccountId.Parse("user-42"),
            Version = 7,
            CreatedAt = At("2026-11-01T09:00:00Z"),
            UpdatedAt = At("2026-11-21T10:00:02.1234567Z"),
            StripeCustomerId = "cus_Q1w2e3",
            TrialUsedAt = At("2026-11-01T09:05:00Z"),
            LocalTrial = new LocalTrial { PlanCode = PlanCode.Parse("TRIAL"), StartedAt = At("2026-11-01T09:05:00Z"), EndsAt = At("2026-11-15T09:05:00Z") },
            Subscription = new SubscriptionState
            {
                SubscriptionId = "sub_9z8y7x",
                CustomerId = "cus_Q1w2e3",
                Status = SubscriptionStatus.Canceled,
                PlanCode = PlanCode.Parse("PRO"),
                PriceId = "price_pro_month",
                Interval = BillingInterval.Month,
                CurrentPeriodStart = At("2026-11-10T10:00:00Z"),
                CurrentPeriodEnd = At("2026-12-10T10:00:00Z"),
                CancelAtPeriodEnd = true,
                CancelAt = At("2026-12-10T10:00:00Z"),
                CanceledAt = At("2026-11-20T10:00:00Z"),
                EndedAt = At("2026-11-21T10:00:00Z"),
                TrialStart = At("2026-10-27T10:00:00Z"),
                TrialEnd = At("2026-11-10T10:00:00Z"),
                LatestInvoiceId = "in_1a2b3c",
                PastDueSince = At("2026-11-19T10:00:00Z"),
                StripeStateAsOf = At("2026-11-21T10:00:05Z"),
                PeriodEndedEarly = new UsagePeriod(At("2026-11-10T10:00:00Z"), At("2026-11-21T10:00:00Z"), UsagePeriodKey.Parse("sub-20261110T100000Z")),
            },
            CustomerGeneration = 1,
            OpenCheckout = new OpenCheckout
            {
                SessionId = "cs_test_a1", Url = new Uri("https://checkout.stripe.com/c/pay/cs_test_a1"), PlanCode = PlanCode.Parse("BASIC"), Interval = BillingInterval.Year,
                PriceId = "price_basic_year", ExpiresAt = At("2026-11-22T10:00:00Z"), TrialDays = 14, SuccessUrl = "https://app.example/ok", CancelUrl = "https://app.example/back",
            },
            LastPaidPlan = PlanCode.Parse("PRO"),
            EverPaid = true,
        };
        MeterAddOn addOn = new()
        {
            GrantId = "cs:cs_test_b2", Code = "EXTRA_PROJECTS_5", Meter = MeterName.Parse("projects"), Units = 5, GrantedAt = At("2026-11-12T08:00:00Z"),
            ExpiresAt = At("2026-12-12T08:00:00Z"), PeriodKey = UsagePeriodKey.Parse("sub-20261110T100000Z"), PaymentIntentId = "pi_b2", RevokedAt = At("2026-11-13T08:00:00Z"),
        };
        DuplicateSubscriptionResolution duplicate = new()
        {
            SubscriptionId = "sub_dup1", KeptSubscriptionId = "sub_9z8y7x", Refunded = new Money(1_900, Currency.Parse("usd")), ResolvedAt = At("2026-11-10T10:00:07Z"),
        };

        var read = AccountDocumentMapper.ToDomain(JsonSerializer.Deserialize<AccountDocument>(stored, CosmosJson.Options)!);

        Assert.Equal(expected with { FormerStripeCustomerIds = read.FormerStripeCustomerIds, DuplicateSubscriptions = read.DuplicateSubscriptions, AddOns = read.AddOns, EarlyReversals = read.EarlyReversals }, read);
        Assert.Equal(["cus_Old111"], read.FormerStripeCustomerIds);
        Assert.Equal([duplicate], read.DuplicateSubscriptions);
        Assert.Equal([addOn], read.AddOns);
        Assert.Equal([new EarlyReversal("pi_c3", At("2026-11-14T08:00:00Z"))], read.EarlyReversals);
        var written = JsonNode.Parse(JsonSerializer.Serialize(AccountDocumentMapper.ToDocument(read), CosmosJson.Options))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(stored), written), written.ToJsonString());
    }

    /// <summary>An account stored before schema version 2 (no renewsBy, customer generation, open Checkout, payments, purchases): read as data-model.md says.</summary>
    [Fact]
    public void An_account_document_written_before_schema_version_2_reads_with_nothing_forgotten_paid_or_bought()
    {
        const string stored = """
            {
              "id": "account:user-7", "type": "account", "schemaVersion": 1, "accountId": "user-7", "version": 3,
              "createdAt": "2026-10-01T09:00:00.0000000Z", "updatedAt": "2026-10-02T09:00:00.0000000Z", "stripeCustomerId": "cus_7",
              "subscription": { "subscriptionId": "sub_7", "customerId": "cus_7", "status": "active", "planCode": "PRO", "priceId": "price_pro_month",
                                "cancelAtPeriodEnd": false, "stripeStateAsOf": "2026-10-02T09:00:00.0000000Z" }
            }
            """;

        var read = AccountDocumentMapper.ToDomain(JsonSerializer.Deserialize<AccountDocument>(stored, CosmosJson.Options)!);

        Assert.Equal((0, 0, false, false), (read.CustomerGeneration, read.FormerStripeCustomerIds.Count, read.EverPaid, read.Subscription!.CancelAtPeriodEnd));
        Assert.Equal((null, null, null), (read.OpenCheckout, read.LastPaidPlan, read.Subscription.PeriodEndedEarly));
        Assert.Equal((0, 0, 0), (read.DuplicateSubscriptions.Count, read.AddOns.Count, read.EarlyReversals.Count));
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
