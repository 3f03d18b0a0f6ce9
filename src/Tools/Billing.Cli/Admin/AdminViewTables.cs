using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Billing.Cli.Output;

namespace Billing.Cli.Admin;

/// <summary>
/// The operator views as tables: the accounts page, one account, the invoices page, a credit adjustment (answers of
/// <c>/api/billing/admin/accounts</c>, <c>/accounts/{id}</c>, <c>/invoices</c> and <c>/accounts/{id}/credits</c>). Amounts are minor units with the currency.
/// </summary>
public static class AdminViewTables
{
    public static string Accounts(JsonNode page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var rows = Items(page["accounts"]).Select(a => (IReadOnlyList<string?>)
        [
            Text(a["accountId"]), Text(a["plan"]), Text(a["status"]), Period(a["usage"]), Meters(a["usage"]), Credit(a["credits"]), Text(a["stripeCustomerId"]),
        ]);
        return TablePrinter.Format(["ACCOUNT", "PLAN", "STATUS", "PERIOD", "USAGE (USED/LIMIT)", "CREDIT", "CUSTOMER"], rows) + Next(page);
    }

    public static string Invoices(JsonNode page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var rows = Items(page["invoices"]).Select(i => (IReadOnlyList<string?>)
        [
            Text(i["accountId"]), Text(i["periodKey"]), Text(i["invoice"]?["number"]), Text(i["invoice"]?["status"]), Amount(i["invoice"]?["amount"], i["invoice"]?["currency"]),
            Text(i["invoice"]?["plan"]), Text(i["invoice"]?["id"]),
        ]);
        return TablePrinter.Format(["ACCOUNT", "PERIOD", "NUMBER", "STATUS", "AMOUNT", "PLAN", "INVOICE"], rows) + Next(page);
    }

    /// <summary>The answer of a manual credit adjustment: the ledger entry written (or replayed) and the balance after it.</summary>
    public static string Adjustment(JsonNode answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var entry = answer["entry"];
        IReadOnlyList<string?> row =
        [
            Text(answer["accountId"]), Text(entry?["sequence"]), Text(entry?["kind"]), Amount(entry?["amount"], entry?["currency"]), Text(entry?["reason"]), Text(entry?["operator"]),
            Amount(answer["balance"], entry?["currency"]), answer["replayed"]?.GetValue<bool>() == true ? "yes (posted before)" : "no",
        ];
        return TablePrinter.Format(["ACCOUNT", "ENTRY", "KIND", "AMOUNT", "REASON", "BY", "BALANCE", "REPLAYED"], [row]);
    }

    public static string Account(JsonNode account)
    {
        ArgumentNullException.ThrowIfNull(account);
        var text = new StringBuilder();
        var stored = account["subscription"];
        var stripe = account["stripe"];
        text.Append(TablePrinter.Format(["ACCOUNT", "PLAN", "STATUS", "CUSTOMER", "CREDIT", "AS OF"],
            [[Text(account["accountId"]), Text(account["plan"]), Text(account["status"]), Text(account["account"]?["stripeCustomerId"]), Credit(account["credits"]), Text(account["asOf"])]]));

        text.Append("\nSubscription\n");
        var subscriptions = new List<IReadOnlyList<string?>>();
        if (stored is JsonObject)
        {
            subscriptions.Add(["stored", Text(stored["subscriptionId"]), Text(stored["status"]), Text(stored["planCode"]) ?? Text(stored["priceId"]), Span(stored["currentPeriodStart"], stored["currentPeriodEnd"]), Flag(stored["cancelAtPeriodEnd"])]);
        }

        foreach (var s in Items(stripe?["subscriptions"]))
        {
            subscriptions.Add(["stripe now", Text(s["subscriptionId"]), Text(s["status"]), Text(s["priceId"]), Span(s["currentPeriodStart"], s["currentPeriodEnd"]), Flag(s["cancelAtPeriodEnd"])]);
        }

        text.Append(TablePrinter.Format(["SOURCE", "SUBSCRIPTION", "STATUS", "PLAN/PRICE", "PERIOD", "CANCELS"], subscriptions));
        if (stripe?["reachable"] is JsonValue reachable && !reachable.GetValue<bool>())
        {
            text.Append("Stripe could not be asked: ").Append(Text(stripe["error"])).Append('\n');
        }

        text.Append("\nUsage\n").Append(TablePrinter.Format(["PERIOD", "PLAN", "USAGE (USED/LIMIT)", "OVERAGE"],
            Items(account["usage"]).Select(u => (IReadOnlyList<string?>)[Period(u), Text(u["plan"]?["code"]), Meters(u), Overage(u)])));
        text.Append("\nInvoices\n").Append(TablePrinter.Format(["PERIOD", "NUMBER", "STATUS", "AMOUNT", "INVOICE"],
            Items(account["invoices"]).Select(i => (IReadOnlyList<string?>)[Span(i["period"]?["start"], i["period"]?["end"]), Text(i["number"]), Text(i["status"]), Amount(i["amount"], i["currency"]), Text(i["id"])])));

        var credits = account["credits"];
        text.Append("\nCredits\n");
        if (credits?["available"] is JsonValue available && !available.GetValue<bool>())
        {
            text.Append(Text(credits["reason"])).Append('\n');
        }
        else
        {
            text.Append(TablePrinter.Format(["AT", "KIND", "AMOUNT", "EXPIRES", "REASON", "BY"],
                Items(credits?["entries"]).Select(e => (IReadOnlyList<string?>)[Text(e["at"]), Text(e["kind"]), Amount(e["amount"], e["currency"]), Text(e["expiresAt"]), Text(e["reason"]), Text(e["actor"])])));
        }

        text.Append("\nStripe events\n").Append(TablePrinter.Format(["RECEIVED", "EVENT", "TYPE", "OUTCOME", "NOTE"],
            Items(account["events"]).Select(e => (IReadOnlyList<string?>)[Text(e["receivedAt"]), Text(e["eventId"]), Text(e["type"]), Text(e["status"]), Text(e["note"])])));
        return text.ToString();
    }

    private static IEnumerable<JsonNode> Items(JsonNode? array) => array is JsonArray items ? items.OfType<JsonNode>() : [];

    internal static string? Text(JsonNode? node) => node is JsonValue value ? value.ToString() : null;

    private static string Flag(JsonNode? node) => node is JsonValue value && value.GetValue<bool>() ? "at period end" : "no";

    private static string? Span(JsonNode? start, JsonNode? end) =>
        Date(start) is { } from && Date(end) is { } to ? $"{from}..{to}" : null;

    private static string? Period(JsonNode? usage) => Span(usage?["start"], usage?["end"]);

    private static string? Date(JsonNode? node) =>
        Text(node) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.UtcDateTime.ToString(at.UtcDateTime.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)
            : null;

    private static string Meters(JsonNode? usage) =>
        string.Join(", ", Items(usage?["meters"]).Select(m => $"{Text(m["meter"])} {Text(m["used"])}/{Text(m["limit"]) ?? "∞"}"));

    private static string Overage(JsonNode? usage) =>
        string.Join(", ", Items(usage?["overageTotal"]).Select(m => Amount(m["amount"], m["currency"])));

    private static string Credit(JsonNode? credits) =>
        credits?["available"] is JsonValue available && available.GetValue<bool>()
            ? string.Join(", ", Items(credits["balance"]).Select(m => Amount(m["amount"], m["currency"]))) is { Length: > 0 } balance ? balance : "0"
            : "n/a";

    private static string Amount(JsonNode? amount, JsonNode? currency) => $"{Text(amount)} {Text(currency)}";

    private static string Next(JsonNode page) =>
        Text(page["nextCursor"]) is { } cursor ? $"\nmore: --cursor {cursor}\n" : string.Empty;
}
