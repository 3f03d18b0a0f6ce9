using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Billing.Cli.Output;
using Billing.FunctionApp.Http;

namespace Billing.Cli.Admin;

/// <summary>
/// Calls the function app's admin endpoints. A 2xx answer's JSON goes to the output (through <see cref="JsonOutput"/>);
/// anything else is one line on the error writer. The result is the exit code (<see cref="ExitCodes"/>).
/// </summary>
public sealed class AdminApiClient(Uri baseAddress, string token) : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(100);

    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = Timeout };

    /// <summary>The poison listing of <paramref name="queue"/> (stripe-events or invoice-jobs).</summary>
    public Task<int> ListPoisonAsync(int max, string queue, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"/api/billing/admin/poison?max={max}{QueueQuery("&", queue)}", null, output, error, cancellationToken);

    /// <summary>
    /// Replays the given ids (event ids, or run ids for invoice-jobs), or every message when there are none. An id that
    /// is not in the poison queue (a typo, or replayed already) fails the command after the others are replayed.
    /// </summary>
    public Task<int> ReplayPoisonAsync(IReadOnlyList<string> ids, string queue, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var field = queue == "invoice-jobs" ? "runIds" : "eventIds";
        var body = ids.Count == 0
            ? new JsonObject { ["all"] = true }
            : new JsonObject { [field] = new JsonArray([.. ids.Select(id => (JsonNode)id)]) };
        return SendAsync(HttpMethod.Post, $"/api/billing/admin/poison/replay{QueueQuery("?", queue)}", body, output, error, cancellationToken, shortfall: NotReplayed);
    }

    private static string? NotReplayed(JsonNode answer) =>
        answer["notFound"] is JsonArray { Count: > 0 } missing
            ? $"not in the poison queue, so not replayed: {string.Join(", ", missing.Select(id => id?.ToString()))}"
            : null;

    public Task<int> ResyncAsync(string accountId, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"/api/billing/admin/accounts/{Uri.EscapeDataString(accountId)}/resync", new JsonObject(), output, error, cancellationToken);

    /// <summary>
    /// Recovers missed Stripe events (<c>POST /api/billing/admin/events/recover</c>) a batch of at most
    /// <paramref name="limit"/> at a time, sending each answer's <c>nextCursor</c> with the same options until none is left
    /// (only the first batch with <paramref name="oneBatch"/>): each batch printed one line per event with its summary, then
    /// the totals. Events skipped (not stored) fail the command after the answers, as they need an operator; a batch that
    /// fails stops it with the cursor to go on from.
    /// </summary>
    public async Task<int> RecoverEventsAsync(DateTimeOffset? since, bool all, bool dryRun, int limit, string? cursor, bool oneBatch, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var totals = new EventRecoveryReport.Tally(0, 0, 0, 0);
        var batches = 0;
        do
        {
            var body = new JsonObject { ["since"] = since?.ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture), ["all"] = all, ["dryRun"] = dryRun, ["limit"] = limit, ["cursor"] = cursor };
            var (exitCode, answer) = await RequestJsonAsync(HttpMethod.Post, "/api/billing/admin/events/recover", body, error, cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                if (cursor is not null)
                {
                    await BillingCli.WriteErrorAsync(error, EventRecoveryReport.GoOn(batches, cursor)).ConfigureAwait(false);
                }

                return exitCode;
            }

            batches++;
            totals += EventRecoveryReport.Tally.Of(answer);
            await output.WriteAsync(EventRecoveryReport.Format(answer).AsMemory(), cancellationToken).ConfigureAwait(false);
            cursor = answer["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null && !oneBatch);

        await output.WriteAsync(EventRecoveryReport.End(batches, totals, dryRun, cursor).AsMemory(), cancellationToken).ConfigureAwait(false);
        if (EventRecoveryReport.Skipped(totals) is { } skipped)
        {
            await BillingCli.WriteErrorAsync(error, skipped).ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        return ExitCodes.Success;
    }

    /// <summary>A page of the operators' account listing, as a table.</summary>
    public Task<int> ListAccountsAsync(AdminListFilters filters, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "/api/billing/admin/accounts" + filters.ToQuery(), null, output, error, cancellationToken, AdminViewTables.Accounts);

    /// <summary>Everything about one account, as tables.</summary>
    public Task<int> ShowAccountAsync(string accountId, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"/api/billing/admin/accounts/{Uri.EscapeDataString(accountId)}", null, output, error, cancellationToken, AdminViewTables.Account);

    /// <summary>A page of every account's invoices, as a table.</summary>
    public Task<int> ListInvoicesAsync(AdminListFilters filters, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "/api/billing/admin/invoices" + filters.ToQuery(), null, output, error, cancellationToken, AdminViewTables.Invoices);
    /// <summary>A manual credit adjustment (<c>POST /api/billing/admin/accounts/{id}/credits</c>), printed as a table.</summary>
    public async Task<int> AdjustCreditsAsync(string accountId, long amount, string currency, string reason, string? idempotencyKey, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // A retry after an unclear outcome (a timeout, a 503) must resend the same key to post once: one is made
        // when none is given, and told, so the operator can run the command again with it.
        var key = idempotencyKey ?? "cli-" + Guid.NewGuid().ToString("N");
        if (idempotencyKey is null)
        {
            error.WriteLine($"idempotency key: {key} (to retry this adjustment safely, run it again with --idempotency-key {key})");
        }

        var body = new JsonObject { ["amount"] = amount, ["currency"] = currency, ["reason"] = reason, ["idempotencyKey"] = key };

        var exchange = new Exchange(ExitCodes.Cancelled, string.Empty, null);
        try
        {
            exchange = await ExchangeAsync(HttpMethod.Post, $"/api/billing/admin/accounts/{Uri.EscapeDataString(accountId)}/credits", body, error, cancellationToken).ConfigureAwait(false);
            return await PrintAsync(exchange, output, error, cancellationToken, AdminViewTables.Adjustment).ConfigureAwait(false);
        }
        finally
        {
            // Only when the outcome is unknown (no answer, a 5xx, cancelled): a 4xx refused it for good, and a run with
            // the same key would be refused the same way. Last, where the operator looks: a new run without the key
            // would be a second adjustment.
            if (exchange.ExitCode != ExitCodes.Success && idempotencyKey is null && exchange.Status is not (>= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError))
            {
                await error.WriteLineAsync($"To retry this adjustment, run it again with --idempotency-key {key}: it is posted at most once.").ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The default queue (stripe-events) is not named, so those requests are as they always were.</summary>
    private static string QueueQuery(string separator, string queue) =>
        queue == "stripe-events" ? string.Empty : $"{separator}queue={Uri.EscapeDataString(queue)}";

    /// <param name="table">Prints the answer as a table instead of JSON.</param>
    /// <param name="shortfall">What of the request a 2xx answer says was not done, if anything: one error line and exit code 1, after the answer.</param>
    private async Task<int> SendAsync(HttpMethod method, string path, JsonNode? body, TextWriter output, TextWriter error, CancellationToken cancellationToken, Func<JsonNode, string>? table = null, Func<JsonNode, string?>? shortfall = null) =>
        await PrintAsync(await ExchangeAsync(method, path, body, error, cancellationToken).ConfigureAwait(false), output, error, cancellationToken, table, shortfall).ConfigureAwait(false);

    /// <summary>Prints a 2xx answer (as a table when <paramref name="table"/> is given) and returns the exit code.</summary>
    private static async Task<int> PrintAsync(Exchange exchange, TextWriter output, TextWriter error, CancellationToken cancellationToken, Func<JsonNode, string>? table = null, Func<JsonNode, string?>? shortfall = null)
    {
        var (exitCode, text, _) = exchange;
        if (exitCode != ExitCodes.Success)
        {
            return exitCode;
        }

        if (table is not null && Parse(text) is { } answer)
        {
            await output.WriteAsync(table(answer).AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        else if (text.Length > 0)
        {
            await output.WriteLineAsync((JsonOutput.TryFormat(text) ?? text).AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        if (shortfall is not null && Parse(text) is { } done && shortfall(done) is { } missing)
        {
            await BillingCli.WriteErrorAsync(error, missing).ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        return exitCode;
    }

    /// <summary>
    /// Sends a request and hands back the 2xx answer's JSON (<see cref="ExitCodes.Success"/>), or writes the one-line
    /// error and returns its exit code with no JSON. For commands that work with the answer rather than print it.
    /// </summary>
    public async Task<(int ExitCode, JsonNode? Json)> RequestJsonAsync(HttpMethod method, string path, JsonNode? body, TextWriter error, CancellationToken cancellationToken)
    {
        var (exitCode, text, _) = await ExchangeAsync(method, path, body, error, cancellationToken).ConfigureAwait(false);
        if (exitCode != ExitCodes.Success)
        {
            return (exitCode, null);
        }

        try
        {
            return (exitCode, JsonNode.Parse(text));
        }
        catch (System.Text.Json.JsonException)
        {
            await BillingCli.WriteErrorAsync(error, $"{path} answered with something that is not JSON.").ConfigureAwait(false);
            return (ExitCodes.Failed, null);
        }
    }

    /// <summary>The answer's text on a 2xx; otherwise the error is written and the text is empty. The status is null when no answer came.</summary>
    private async Task<Exchange> ExchangeAsync(HttpMethod method, string path, JsonNode? body, TextWriter error, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(JsonOutput.ToCompactString(body), Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception) when (method == HttpMethod.Get || exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            await BillingCli.WriteErrorAsync(error, $"Could not reach {_http.BaseAddress}: {exception.Message}").ConfigureAwait(false);
            return new Exchange(ExitCodes.Unreachable, string.Empty, null);
        }
        catch (HttpRequestException exception)
        {
            // Connected and sent, then no answer: the server may have done it (an adjustment posted, a replay queued).
            await BillingCli.WriteErrorAsync(error, $"{_http.BaseAddress} gave no answer ({exception.Message}): the request may have been applied. Check before doing it again.").ConfigureAwait(false);
            return new Exchange(ExitCodes.Failed, string.Empty, null);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (method == HttpMethod.Get)
            {
                await BillingCli.WriteErrorAsync(error, $"Could not reach {_http.BaseAddress}: no answer within {Timeout.TotalSeconds:0} s.").ConfigureAwait(false);
                return new Exchange(ExitCodes.Unreachable, string.Empty, null);
            }

            await BillingCli.WriteErrorAsync(error, $"{_http.BaseAddress} gave no answer within {Timeout.TotalSeconds:0} s: the request may have been applied. Check before doing it again.").ConfigureAwait(false);
            return new Exchange(ExitCodes.Failed, string.Empty, null);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                if (text.Length > 0 && !IsJson(text))
                {
                    // Not the admin API's answer (the wrong --url, a sign-in page or a proxy in front of the app): printing
                    // it and exiting 0 would say the request was done.
                    var what = $"{_http.BaseAddress} answered {(int)response.StatusCode} {response.ReasonPhrase} with something that is not JSON ({response.Content.Headers.ContentType?.MediaType ?? "no content type"}): not an answer of the billing API; check --url (or BILLING_URL).";
                    await BillingCli.WriteErrorAsync(error, method == HttpMethod.Get ? what : $"{what} If it reached the app, the request may have been applied: check before doing it again.").ConfigureAwait(false);
                    return new Exchange(ExitCodes.Failed, string.Empty, response.StatusCode);
                }

                return new Exchange(ExitCodes.Success, text, response.StatusCode);
            }

            await BillingCli.WriteErrorAsync(error, Describe(response.StatusCode, response.ReasonPhrase, text)).ConfigureAwait(false);
            return new Exchange(ExitCodes.Failed, string.Empty, response.StatusCode);
        }
    }

    /// <summary>One line for a refused request: status, the problem's detail (or title), code and trace, and a hint for 401/403.</summary>
    public static string Describe(HttpStatusCode status, string? reasonPhrase, string body)
    {
        var line = new StringBuilder().Append((int)status);
        if (!string.IsNullOrEmpty(reasonPhrase))
        {
            line.Append(' ').Append(reasonPhrase);
        }

        var problem = ProblemText(body);
        if (problem.Length > 0)
        {
            line.Append(": ").Append(problem);
        }

        var hint = status switch
        {
            HttpStatusCode.Unauthorized => " (the token is missing, invalid or expired: check --token / BILLING_TOKEN)",
            HttpStatusCode.Forbidden => $" (the token lacks the admin role: the app's Auth:AdminRole in its Auth:RoleClaim claim, by default {AuthDefaults.AdminRole} in {AuthDefaults.RoleClaim})",
            _ => string.Empty,
        };
        return line.Append(hint).ToString();
    }

    private static JsonNode? Parse(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(text);
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static string ProblemText(string body)
    {
        const int MaxLength = 500;
        var node = Parse(body);

        if (node is JsonObject problem)
        {
            var text = Text(problem["detail"]) ?? Text(problem["title"]);
            var code = Text(problem["code"]);
            var errors = problem["errors"] is JsonObject fields ? JsonOutput.ToCompactString(fields) : null;
            var trace = Text(problem["traceId"]);
            var parts = new[] { text, code is null ? null : $"(code: {code})", errors is null ? null : $"errors: {errors}", trace is null ? null : $"[trace {BillingCli.OneLine(trace)}]" };
            var joined = string.Join(' ', parts.Where(p => p is not null));
            if (joined.Length > 0)
            {
                return joined;
            }
        }

        var raw = node is null ? body : JsonOutput.ToCompactString(node);
        raw = BillingCli.OneLine(raw);
        return raw.Length <= MaxLength ? raw : string.Concat(raw.AsSpan(0, MaxLength), "…");
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    /// <summary>What came of a request: the exit code, a 2xx answer's text, and the status when the server answered.</summary>
    private readonly record struct Exchange(int ExitCode, string Text, HttpStatusCode? Status);
}
