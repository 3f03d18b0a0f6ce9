using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Billing.Application.Admin;
using Billing.Application.Credits;
using Billing.Application.Invoicing;
using Billing.Application.Operations;
using Billing.Application.Outcomes;
using Billing.Application.Redirects;
using Billing.Application.StripeEvents.Recovery;
using Billing.Application.Subscriptions;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Entitlements;
using Billing.Domain.Plans;
using Billing.FunctionApp.Admin;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;
using Billing.TestSupport;

namespace Billing.FunctionApp.Tests.OpenApi;

/// <summary>The hand-kept OpenAPI document and the functions the worker declares describe the same HTTP surface.</summary>
public sealed partial class OpenApiDocumentTests
{
    private static readonly JsonNode Document = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "src/Billing.FunctionApp/OpenApi/openapi.json")))!;

    [Fact]
    public void Every_http_function_is_documented_with_its_methods_and_nothing_else_is()
    {
        var declared = FunctionMetadata.Read(FunctionAppProcess.BuildOutput)
            .Where(f => f.Trigger == "httpTrigger")
            .SelectMany(f => f.Methods.Select(m => $"{m} /api/{f.Target}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var documented = Document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Where(op => op.Key != "parameters").Select(op => $"{op.Key.ToUpperInvariant()} {path.Key}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(declared, documented);
    }

    [Fact]
    public void A_resync_steps_documented_outcomes_are_every_subscription_sync_outcome_as_the_answer_names_it()
    {
        var documented = Document["components"]!["schemas"]!["AccountResyncResponse"]!["properties"]!["steps"]!["items"]!["properties"]!["outcome"]!["enum"]!
            .AsArray().Select(v => (string)v!).ToList();
        var answered = Enum.GetValues<SubscriptionSyncOutcome>().Select(outcome => outcome.ToContract()).ToList();

        Assert.Equal(answered, documented);
    }

    [Fact]
    public void An_event_recoverys_documented_outcomes_are_every_outcome_as_the_answer_names_it()
    {
        var documented = Document["components"]!["schemas"]!["EventRecoveryResponse"]!["properties"]!["events"]!["items"]!["properties"]!["outcome"]!["enum"]!
            .AsArray().Select(v => (string)v!).ToList();
        var answered = Enum.GetValues<StripeEventRecoveryOutcome>().Select(outcome => outcome.ToContract()).ToList();

        Assert.Equal(answered, documented);
    }

    [Theory]
    [InlineData("MeterUsageResponse", "enforcement")]
    [InlineData("PlanMeterResponse", "enforcement")]
    [InlineData("MeterEntitlementResponse", "enforcement")]
    [InlineData("PlanResponse", "kind")]
    [InlineData("PlanSummaryResponse", "kind")]
    [InlineData("SubscriptionResponse", "source")]
    [InlineData("AccountResyncResponse", "entitlement.source")]
    [InlineData("AdminAccountRowResponse", "entitlement.source")]
    [InlineData("AdminAccountResponse", "entitlement.source")]
    public void A_documented_enum_is_every_value_the_answer_writes_and_nothing_else(string schema, string member)
    {
        var property = member.Split('.').Aggregate(Document["components"]!["schemas"]![schema]!, (node, name) => node["properties"]![name]!);
        var documented = property["enum"]!.AsArray().Select(v => (string)v!).ToList();
        var written = member.Split('.')[^1] switch
        {
            "enforcement" => Enum.GetValues<MeterEnforcement>().Select(e => e.ToContract()),
            "kind" => Enum.GetValues<PlanKind>().Select(k => k.ToContract()),
            _ => Enum.GetValues<EntitlementSource>().Select(s => s.ToContract()),
        };

        Assert.Equal(written.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_response_check_the_end_to_end_tests_rely_on_accepts_a_conforming_answer_and_names_each_deviation()
    {
        const string Good = """{"sessionId":"cs_1","url":"https://checkout.example/cs_1","plan":"PRO","interval":"month","trialDays":null}""";

        Assert.Empty(OpenApiContract.Check("POST", "/api/billing/checkout", System.Net.HttpStatusCode.OK, "application/json", Good));
        Assert.Contains(OpenApiContract.Check("POST", "/api/billing/checkout", System.Net.HttpStatusCode.OK, "application/json", """{"url":"x","plan":"PRO","interval":"month"}"""), p => p.Contains("'sessionId' is missing", StringComparison.Ordinal));
        Assert.Contains(OpenApiContract.Check("POST", "/api/billing/checkout", System.Net.HttpStatusCode.OK, "application/json", """{"sessionId":5,"url":"x","plan":"PRO","interval":"month"}"""), p => p.Contains("$.sessionId", StringComparison.Ordinal));
        Assert.NotEmpty(OpenApiContract.Check("POST", "/api/billing/checkout", System.Net.HttpStatusCode.Created, "application/json", Good));
        Assert.NotEmpty(OpenApiContract.Check("DELETE", "/api/billing/checkout", System.Net.HttpStatusCode.OK, "application/json", Good));
        Assert.NotEmpty(OpenApiContract.Check("POST", "/api/billing/checkout", System.Net.HttpStatusCode.Conflict, "application/json", """{"title":"x"}"""));
    }

    [Fact]
    public void Every_operation_has_an_id_responses_with_schemas_and_problem_answers()
    {
        foreach (var (path, item) in Document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject().Where(op => op.Key != "parameters"))
            {
                var name = $"{method.ToUpperInvariant()} {path}";
                Assert.False(string.IsNullOrEmpty((string?)operation!["operationId"]), name + " has no operationId");
                var responses = operation["responses"]!.AsObject();
                Assert.Contains(responses, r => r.Key.StartsWith('2'));
                foreach (var (status, response) in responses)
                {
                    var content = response!["content"]?.AsObject();
                    Assert.True(content is { Count: > 0 }, $"{name} {status} has no content schema");
                    if (!status.StartsWith('2') && path != "/api/health") // health answers its report, also when 503
                    {
                        Assert.True(content!.ContainsKey("application/problem+json"), $"{name} {status} is not problem+json");
                    }
                }
            }
        }
    }

    [Fact]
    public void A_function_that_reads_a_json_body_documents_whether_it_is_required_and_the_answers_to_a_body_it_refuses()
    {
        var operations = Document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Where(op => op.Key != "parameters").Select(op => op.Value!))
            .ToDictionary(op => (string)op["operationId"]!, StringComparer.Ordinal);
        var sources = Directory.EnumerateFiles(Path.Combine(RepoPaths.RepoRoot, "src", "Billing.FunctionApp"), "*Function*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var reads = sources
            .SelectMany(file => File.ReadAllText(file).Split("[Function(\"").Skip(1))
            .Select(method => (Name: method[..method.IndexOf('"', StringComparison.Ordinal)], Read: BodyRead().Match(method)))
            .Where(m => m.Read.Success)
            .ToList();

        Assert.True(reads.Count >= 10, $"found {reads.Count} functions reading a JSON body");
        Assert.All(reads, read =>
        {
            var operation = operations[read.Name];
            var body = operation["requestBody"];
            var required = read.Read.Groups[1].Value == "true";
            Assert.True(body is not null || !required, $"{read.Name} requires a body the document does not describe");
            Assert.True(body is null || (bool?)body["required"] == required, $"{read.Name}: requestBody.required should be {required}");
            Assert.True(operation["responses"]!.AsObject().ContainsKey("413") && operation["responses"]!.AsObject().ContainsKey("415"), $"{read.Name} refuses a body over its limit (413) and one that is not JSON (415): document both");
        });
    }

    [Fact]
    public void A_batch_records_problem_is_described_with_every_member_it_carries_a_402s_quota_facts_included()
    {
        // The problems a record of POST /api/usage/batch can get, as the function writes them (docs/api.md's 402 example).
        var quota = new Refusal(RefusalReason.QuotaExceeded, "agent_runs: the Free plan's limit is 20 per period; 4 used, so 50 more would pass it.")
        {
            Facts = new Dictionary<string, object?>(StringComparer.Ordinal) { ["meter"] = "agent_runs", ["limit"] = 20L, ["used"] = 4L, ["plan"] = "FREE", ["upgradePlan"] = "BASIC" },
        };
        object[] problems =
        [
            Problems.InvalidDetails(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["meter"] = ["Unknown usage meter 'nope'."] }),
            Problems.RefusedDetails(quota),
            Problems.RefusedDetails(new Refusal(RefusalReason.AccountNotFound, "No billing account 'user-9' is registered.")),
            Problems.RefusedDetails(new Refusal(RefusalReason.IdempotencyKeyReused, "The idempotency key was already used.")),
            Problems.RefusedDetails(new Refusal(RefusalReason.UsageNotCounted, "Nothing was counted.")),
        ];
        var schemas = Document["components"]!["schemas"]!;
        var problemSchema = schemas["UsageBatchItemResponse"]!["properties"]!["problem"]!;

        Assert.All(problems, problem =>
        {
            var json = JsonSerializer.SerializeToElement(problem, new JsonSerializerOptions(JsonSerializerDefaults.Web));
            var members = json.EnumerateObject().Select(m => m.Name).ToList();
            var described = Alternatives(problemSchema)
                .Select(alternative => schemas[((string)alternative["$ref"]!).Split('/')[^1]]!)
                .Where(schema => (schema["required"]?.AsArray() ?? []).All(r => json.TryGetProperty((string)r!, out _)))
                .Select(schema => schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal))
                .Any(documented => members.All(documented.Contains));
            Assert.True(described, $"A batch record's {json.GetProperty("status")} problem ({string.Join(", ", members)}) fits no schema of UsageBatchItemResponse.problem that describes all its members");
        });
    }

    [Fact]
    public void A_nullable_member_is_null_or_one_schema_as_typed_client_generators_read_a_nullable_member()
    {
        // NSwag (the C# client docs/frontend.md generates) reads oneOf/anyOf of null and one schema as a nullable member;
        // beside null and two or more schemas it makes a composite type it requires, so every answer that holds null
        // there fails to deserialize (a batch's results, whose problem is null for each record counted).
        var offenders = new List<string>();
        NullableUnions(Document["components"]!["schemas"]!, "#/components/schemas", offenders);

        Assert.True(offenders.Count == 0, string.Join(Environment.NewLine, offenders));
    }

    private static void NullableUnions(JsonNode? node, string at, List<string> offenders)
    {
        if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                NullableUnions(array[i], $"{at}[{i}]", offenders);
            }
        }

        if (node is not JsonObject schema)
        {
            return;
        }

        foreach (var keyword in new[] { "anyOf", "oneOf" })
        {
            if (schema[keyword] is JsonArray alternatives && alternatives.Any(a => (string?)a?["type"] == "null"))
            {
                var others = alternatives.Count(a => (string?)a?["type"] != "null");
                if (others != 1)
                {
                    offenders.Add($"{at}: {keyword} of null and {others} schemas; make it null or one schema");
                }
            }
        }

        foreach (var (name, child) in schema)
        {
            NullableUnions(child, $"{at}/{name}", offenders);
        }
    }

    [Fact]
    public void A_request_schema_bounds_what_the_server_accepts_with_the_validators_own_limits()
    {
        var schemas = Document["components"]!["schemas"]!;
        long? Bound(JsonNode schema, string keyword) => schema[keyword] is { } value ? (long)value : null;
        JsonNode Member(string schema, string member) => schemas[schema]!["properties"]![member]!;
        JsonNode Parameter(string path, string method, string name) =>
            Document["paths"]![path]![method]!["parameters"]!.AsArray().Single(p => (string)p!["name"]! == name)!["schema"]!;
        var problems = new List<string>();
        void Expect(string what, JsonNode schema, string keyword, long? expected)
        {
            if (Bound(schema, keyword) != expected)
            {
                problems.Add($"{what}: {keyword} is {Bound(schema, keyword)?.ToString(CultureInfo.InvariantCulture) ?? "absent"}, the server's limit is {expected}");
            }
        }

        foreach (var request in (string[])["UsageRecordRequest", "UsageCheckRequest"])
        {
            Expect($"{request}.quantity", Member(request, "quantity"), "minimum", 1);
            Expect($"{request}.quantity", Member(request, "quantity"), "maximum", UsageOptions.MaxQuantity);
            Expect($"{request}.accountId", Member(request, "accountId"), "maxLength", AccountId.MaxLength);
        }

        Expect("UsageRecordRequest.idempotencyKey", Member("UsageRecordRequest", "idempotencyKey"), "maxLength", 255);
        Expect("UsageBatchRequest.records", Member("UsageBatchRequest", "records"), "minItems", 1);
        Expect("UsageBatchRequest.records", Member("UsageBatchRequest", "records"), "maxItems", UsageOptions.MaxBatchRecords);
        Expect("AllocationRequest.accountId", Member("AllocationRequest", "accountId"), "maxLength", AccountId.MaxLength);
        Expect("CreditAdjustmentBody.amount", Member("CreditAdjustmentBody", "amount"), "minimum", -CreditOperation.MaxAmount);
        Expect("CreditAdjustmentBody.amount", Member("CreditAdjustmentBody", "amount"), "maximum", CreditOperation.MaxAmount);
        Expect("CreditAdjustmentBody.reason", Member("CreditAdjustmentBody", "reason"), "maxLength", CreditAdjustments.MaxReasonLength);
        Expect("CreditAdjustmentBody.idempotencyKey", Member("CreditAdjustmentBody", "idempotencyKey"), "maxLength", 128);
        foreach (var (request, member) in (ValueTuple<string, string>[])[("CheckoutRequest", "successUrl"), ("CheckoutRequest", "cancelUrl"), ("PortalRequest", "returnUrl"),
                     ("CreditPackCheckoutRequest", "successUrl"), ("CreditPackCheckoutRequest", "cancelUrl"), ("AddOnCheckoutRequest", "successUrl"), ("AddOnCheckoutRequest", "cancelUrl")])
        {
            Expect($"{request}.{member}", Member(request, member), "maxLength", RedirectUrls.MaxLength);
        }

        Expect("EventRecoveryRequest.limit", Member("EventRecoveryRequest", "limit"), "minimum", 1);
        Expect("EventRecoveryRequest.limit", Member("EventRecoveryRequest", "limit"), "maximum", StripeEventRecovery.MaxLimit);
        Expect("InvoiceRunStartRequest.accountId", Member("InvoiceRunStartRequest", "accountId"), "maxLength", AccountId.MaxLength);
        Expect("GET /api/billing/admin/accounts limit", Parameter("/api/billing/admin/accounts", "get", "limit"), "maximum", AdminListing.MaxPageSize);
        Expect("GET /api/billing/admin/invoices limit", Parameter("/api/billing/admin/invoices", "get", "limit"), "maximum", AdminListing.MaxPageSize);
        Expect("GET /api/billing/admin/accounts q", Parameter("/api/billing/admin/accounts", "get", "q"), "maxLength", AdminListing.MaxSearchLength);
        Expect("GET /api/billing/credits limit", Parameter("/api/billing/credits", "get", "limit"), "maximum", CreditsOverview.MaxLimit);
        Expect("GET /api/billing/admin/invoices/runs limit", Parameter("/api/billing/admin/invoices/runs", "get", "limit"), "maximum", InvoicingRuns.MaxPageSize);
        Expect("GET /api/billing/admin/poison max", Parameter("/api/billing/admin/poison", "get", "max"), "maximum", PoisonQueueKinds.MaxPeek);
        foreach (var (path, item) in Document["paths"]!.AsObject())
        {
            foreach (var parameter in item!.AsObject().SelectMany(op => op.Value!["parameters"]?.AsArray() ?? []).Where(p => (string)p!["name"]! == "accountId"))
            {
                Expect($"{path} accountId", parameter!["schema"]!, "maxLength", AccountId.MaxLength);
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static IEnumerable<JsonNode> Alternatives(JsonNode schema) =>
        ((schema["anyOf"] ?? schema["oneOf"])?.AsArray() ?? []).Where(a => a?["$ref"] is not null).Select(a => a!);

    [GeneratedRegex(@"StrictJsonBody\.ReadAsync<\w+>\(request, required: (true|false)")]
    private static partial Regex BodyRead();
}
