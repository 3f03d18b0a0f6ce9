using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Billing.Application.StripeEvents;
using Billing.EndToEnd.Tests.Support;
using Stripe;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>
/// Recovering missed events from Stripe's own list (<c>billing admin events recover</c>, <c>POST
/// /api/billing/admin/events/recover</c>) on the real stack: the emulator holds the webhook deliveries of a credit pack
/// bought through Checkout, the recovery stores and queues the purchase as its delivery would, and neither a second
/// recovery nor the held deliveries, released at last, grant it again.
/// </summary>
public sealed class EventRecoveryTests(EventRecoveryTests.StackFixture fixture) : IClassFixture<EventRecoveryTests.StackFixture>
{
    private WebhookStack Stack => fixture.Stack;

    [Fact]
    public async Task A_credit_pack_whose_deliveries_were_held_is_granted_once_by_the_recovery_and_neither_a_second_run_nor_the_late_deliveries_grant_it_again()
    {
        var buyer = "rec-" + Guid.NewGuid().ToString("N")[..10];
        await Stack.Emulator!.ControlAsync("/_emulator/webhooks/hold");
        using var purchase = JsonDocument.Parse(await PostAsync(buyer, "/api/billing/credits/checkout", """{"pack":"CREDITS_10"}""", HttpStatusCode.OK));
        var sessionId = purchase.RootElement.GetProperty("sessionId").GetString()!;
        await Stack.Emulator.ControlAsync($"/_emulator/checkout/sessions/{sessionId}/complete");
        var completed = (await Stack.Stripe.V1.Events.ListAsync(new EventListOptions { Type = "checkout.session.completed", Limit = 100 })).Data
            .Single(e => e.Data.RawObject["id"]?.ToString() == sessionId);
        Assert.Null(await Stack.Data.Events.GetAsync(completed.Id, CancellationToken.None)); // held: nothing arrived

        // Bad input does nothing; a dry run says what would be done and writes nothing
        var future = DateTimeOffset.UtcNow.AddMinutes(5).ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture);
        await PostAsync("ops-1", "/api/billing/admin/events/recover", $$"""{"since":"{{future}}"}""", HttpStatusCode.BadRequest, admin: true);
        await PostAsync("ops-1", "/api/billing/admin/events/recover", """{"since":"2026-12-01T00:00"}""", HttpStatusCode.BadRequest, admin: true);
        foreach (var body in (string[])["""{"limit":0}""", """{"limit":1001}""", """{"limit":"x"}""", """{"limit":1.5}""", """{"limit":null,"cursor":"garbage!"}""",
                     """{"cursor":"c3RyaXBlLWV2ZW50LXJlY292ZXJ5fHh8MTox"}""", """{"cursor":5}""", """{"all":"yes"}""", """{"dryRun":1}""", """{"since":"2026-12-01T00:00:00Z""", """{"batch":1}""", "[]"])
        {
            await PostAsync("ops-1", "/api/billing/admin/events/recover", body, HttpStatusCode.BadRequest, admin: true);
        }

        using (var invalidUtf8 = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/billing/admin/events/recover", UriKind.Relative)) { Content = new ByteArrayContent([.. "{\"cursor\":\""u8, 0xC3, 0x28, .. "\"}"u8]) })
        {
            invalidUtf8.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            invalidUtf8.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.For("ops-1", admin: true));
            using var refused = await Stack.App.Http.SendAsync(invalidUtf8);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        // A run leaves the second under way to the next run (webhooks.md, Recover missed events): let the event's second end.
        await Eventually.PastAsync(completed.Created, TimeSpan.FromSeconds(1));
        var dryRun = await RecoverAsync("--dry-run");
        Assert.Contains(dryRun, line => line.StartsWith(completed.Id, StringComparison.Ordinal) && line.EndsWith(" queued", StringComparison.Ordinal));
        Assert.Null(await Stack.Data.Events.GetAsync(completed.Id, CancellationToken.None));

        // The recovery stores and queues it as its delivery would: the pack is granted
        var recovered = await RecoverAsync();
        var line = Assert.Single(recovered, l => l.StartsWith(completed.Id, StringComparison.Ordinal));
        Assert.Matches(@"^evt_\S+\s+checkout\.session\.completed\s+\S+\s+queued$", line);
        await WaitForBalanceAsync(buyer, 1_000);
        await Stack.Data.WaitForEventAsync(completed.Id, e => e.Status == StripeEventStatus.Applied, "applied after the recovery");

        // Again: every event is a duplicate, nothing is queued, the balance stays
        var again = await RecoverAsync();
        Assert.EndsWith(" 0 queued, " + (again.Count - 3) + " duplicate, 0 skipped.", again[^1], StringComparison.Ordinal);
        Assert.EndsWith(" duplicate", Assert.Single(again, l => l.StartsWith(completed.Id, StringComparison.Ordinal)), StringComparison.Ordinal);

        // The held deliveries arrive at last: answered as duplicates, still one grant
        await Stack.Emulator.ControlAsync("/_emulator/webhooks/release");
        await Eventually.UntilAsync(async () => await Stack.DeliveriesAnsweredAsync(completed.Id, "original") > 0, $"the app answered the held delivery of {completed.Id}", TimeSpan.FromSeconds(60));
        using var credits = JsonDocument.Parse(await GetAsync(buyer, "/api/billing/credits"));
        Assert.Equal(1_000, credits.RootElement.GetProperty("balances").EnumerateArray().Single().GetProperty("amount").GetInt64());
        Assert.Equal("grant", credits.RootElement.GetProperty("entries").EnumerateArray().Single().GetProperty("kind").GetString());
        var delivered = await RecoverAsync();
        Assert.DoesNotContain(delivered, l => l.StartsWith(completed.Id, StringComparison.Ordinal)); // every endpoint has it now
        using var all = JsonDocument.Parse(await PostAsync("ops-1", "/api/billing/admin/events/recover", """{"all":true,"dryRun":true}""", HttpStatusCode.OK, admin: true)); // the answer checked against the OpenAPI document
        var listed = all.RootElement.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("id").GetString() == completed.Id);
        Assert.Equal(("duplicate", false), (listed.GetProperty("outcome").GetString(), listed.GetProperty("requeued").GetBoolean()));
    }

    [Fact]
    public async Task A_backlog_larger_than_one_batch_is_recovered_completely_by_the_cli_following_each_cursor_and_each_pack_is_granted_once()
    {
        var buyer = "rec-" + Guid.NewGuid().ToString("N")[..10];
        await Stack.Emulator!.ControlAsync("/_emulator/webhooks/hold");
        var sessions = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var purchase = JsonDocument.Parse(await PostAsync(buyer, "/api/billing/credits/checkout", """{"pack":"CREDITS_10"}""", HttpStatusCode.OK));
            sessions.Add(purchase.RootElement.GetProperty("sessionId").GetString()!);
            await Stack.Emulator.ControlAsync($"/_emulator/checkout/sessions/{sessions[^1]}/complete");
        }

        var events = (await Stack.Stripe.V1.Events.ListAsync(new EventListOptions { Type = "checkout.session.completed", Limit = 100 })).Data
            .Where(e => sessions.Contains(e.Data.RawObject["id"]?.ToString())).ToList();
        var completed = events.Select(e => e.Id).ToList();
        Assert.Equal(3, completed.Count);

        // A dry run pages through the same batches and writes nothing (once the last event's second has ended: a run
        // leaves the second under way to the next run)
        await Eventually.PastAsync(events.Max(e => e.Created), TimeSpan.FromSeconds(1));
        var preview = await RecoverAsync("--dry-run", "--limit", "2");
        Assert.Equal(completed.Order(StringComparer.Ordinal), preview.Where(l => completed.Any(id => l.StartsWith(id + " ", StringComparison.Ordinal))).Select(l => l.Split(' ')[0]).Order(StringComparer.Ordinal));
        Assert.StartsWith("In all, ", preview[^1], StringComparison.Ordinal);
        Assert.Null(await Stack.Data.Events.GetAsync(completed[0], CancellationToken.None));

        // Batches of 2: the CLI sends each next cursor until none is left; each purchase is queued once and granted once
        var recovered = await RecoverAsync("--limit", "2");
        Assert.All(completed, id => Assert.Matches(@"\s+queued$", Assert.Single(recovered, l => l.StartsWith(id + " ", StringComparison.Ordinal))));
        Assert.Matches(@"^In all, [2-9]\d* batches: ", recovered[^1]);
        await WaitForBalanceAsync(buyer, 3_000);
        foreach (var id in completed)
        {
            await Stack.Data.WaitForEventAsync(id, e => e.Status == StripeEventStatus.Applied, "applied after the recovery");
        }

        // The held deliveries arrive at last: answered as duplicates, still three grants
        await Stack.Emulator.ControlAsync("/_emulator/webhooks/release");
        foreach (var id in completed)
        {
            await Eventually.UntilAsync(async () => await Stack.DeliveriesAnsweredAsync(id, "original") > 0, $"the app answered the held delivery of {id}", TimeSpan.FromSeconds(60));
        }

        using var credits = JsonDocument.Parse(await GetAsync(buyer, "/api/billing/credits"));
        Assert.Equal(3_000, credits.RootElement.GetProperty("balances").EnumerateArray().Single().GetProperty("amount").GetInt64());
        Assert.Equal(["grant", "grant", "grant"], credits.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
    }

    /// <summary>Runs <c>billing admin events recover</c> against the app; its output lines (a head line, the table, the summary).</summary>
    private async Task<List<string>> RecoverAsync(params string[] options)
    {
        var run = await CliRun.RunAsync(["admin", "events", "recover", .. options, "--url", Stack.App.BaseAddress.ToString(), "--settings", CliRun.DevelopmentSettings]);
        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        return [.. run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private async Task WaitForBalanceAsync(string accountId, long balance) =>
        await Eventually.GetAsync(
            () => GetAsync(accountId, "/api/billing/credits"),
            body => JsonDocument.Parse(body).RootElement.GetProperty("balances").EnumerateArray().Any(b => b.GetProperty("amount").GetInt64() == balance),
            $"a credit balance of {balance} for {accountId}",
            TimeSpan.FromSeconds(60));

    private async Task<string> GetAsync(string accountId, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.For(accountId));
        using var response = await Stack.App.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return body;
    }

    private async Task<string> PostAsync(string accountId, string path, string json, HttpStatusCode expected, bool admin = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.For(accountId, admin));
        using var response = await Stack.App.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        return body;
    }

    public sealed class StackFixture : SharedStackFixture
    {
        private protected override Task<WebhookStack> StartAsync() => WebhookStack.StartAsync();
    }
}
