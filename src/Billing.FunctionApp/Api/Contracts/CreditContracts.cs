using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Billing.Application.Credits;
using Billing.Application.Invoicing;
using Billing.Domain.Credits;

namespace Billing.FunctionApp.Api.Contracts;

/// <summary>Body of <c>POST /api/billing/credits/checkout</c>.</summary>
public sealed record CreditPackCheckoutRequest
{
    [Required]
    [Description("A credit pack code from configuration (Billing:Purchases:CreditPacks), e.g. CREDITS_10.")]
    public string? Pack { get; init; }

    [Description("Where Stripe sends the customer after paying; allow-listed origins only. Default: Billing:Checkout:SuccessUrl.")]
    public string? SuccessUrl { get; init; }

    [Description("Where Stripe sends the customer who backs out; allow-listed origins only. Default: Billing:Checkout:CancelUrl.")]
    public string? CancelUrl { get; init; }
}

/// <summary>Body of <c>POST /api/billing/addons/checkout</c>.</summary>
public sealed record AddOnCheckoutRequest
{
    [Required]
    [Description("An add-on code from configuration (Billing:Purchases:AddOns), e.g. EXTRA_PROJECTS_5.")]
    public string? AddOn { get; init; }

    public string? SuccessUrl { get; init; }

    public string? CancelUrl { get; init; }
}

/// <summary>A created payment-mode Checkout Session: send the browser to <see cref="Url"/>.</summary>
public sealed record PurchaseCheckoutResponse(string SessionId, Uri Url, string Purchase, string Code, long Amount, string Currency)
{
    public static PurchaseCheckoutResponse From(StartedPurchase started)
    {
        ArgumentNullException.ThrowIfNull(started);
        return new(started.SessionId, started.Url, started.Purchase, started.Code, started.Price.MinorUnits, started.Price.Currency.Code);
    }
}

public sealed record CreditBalanceResponse(string Currency, long Amount);

public sealed record CreditGrantResponse(string GrantId, string Source, string Currency, long Amount, long Remaining, DateTimeOffset GrantedAt, DateTimeOffset? ExpiresAt, bool Expired);

public sealed record CreditPartResponse(string GrantId, long Amount);

public sealed record CreditEntryResponse(
    long Sequence,
    string Kind,
    string Currency,
    long Amount,
    DateTimeOffset At,
    IReadOnlyList<CreditPartResponse> Parts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reference,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Operator,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PeriodStart)
{
    /// <summary>The entry as shown to the account (<paramref name="withOperator"/> false: who made an adjustment is for operators only) or to an operator.</summary>
    public static CreditEntryResponse From(CreditEntry entry, bool withOperator)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(
            entry.Sequence,
            KindName(entry.Kind),
            entry.Currency.Code,
            entry.Amount,
            entry.At,
            [.. entry.Parts.Select(p => new CreditPartResponse(p.GrantId, p.Amount))],
            entry.Reference,
            entry.Reason,
            withOperator ? entry.Operator : null,
            entry.Kind is CreditEntryKind.Spend or CreditEntryKind.Restore && InvoiceJob.TryParseRunId(entry.Reference, out var run) ? run.PeriodKey.Start : null);
    }

    private static string KindName(CreditEntryKind kind) => kind switch
    {
        CreditEntryKind.Grant => "grant",
        CreditEntryKind.Spend => "spend",
        CreditEntryKind.Expiry => "expiry",
        CreditEntryKind.Reversal => "reversal",
        CreditEntryKind.Adjustment => "adjustment",
        CreditEntryKind.Restore => "restore",
        CreditEntryKind.Reinstatement => "reinstatement",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown credit entry kind."),
    };
}

/// <summary><c>GET /api/billing/credits</c>: the caller's balances, grants and one page of the ledger (newest first).</summary>
public sealed record CreditsResponse(
    DateTimeOffset AsOf,
    IReadOnlyList<CreditBalanceResponse> Balances,
    IReadOnlyList<CreditGrantResponse> Grants,
    IReadOnlyList<CreditEntryResponse> Entries,
    string? NextCursor)
{
    public static CreditsResponse From(CreditsView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(
            view.AsOf,
            [.. view.Balances.OrderBy(b => b.Key.Code, StringComparer.Ordinal).Select(b => new CreditBalanceResponse(b.Key.Code, b.Value))],
            [.. view.Grants.Select(g => new CreditGrantResponse(g.GrantId, g.Source, g.Currency.Code, g.Amount, g.Remaining, g.GrantedAt, g.ExpiresAt, g.IsExpiredAt(view.AsOf)))],
            [.. view.Entries.Select(e => CreditEntryResponse.From(e, withOperator: false))],
            view.NextCursor);
    }
}

/// <summary>Body of <c>POST /api/billing/admin/accounts/{accountId}/credits</c>.</summary>
public sealed record CreditAdjustmentBody
{
    [Required]
    [Description("Minor units; positive grants credit (no expiry), negative takes credit away (the grant expiring soonest first). Whole as Stripe charges the currency: a multiple of 100 in isk and ugx, of 10 in bhd, jod, kwd, omr and tnd.")]
    public long? Amount { get; init; }

    [Required]
    public string? Currency { get; init; }

    [Required]
    [Description("Why (kept on the ledger entry with the operator's identity).")]
    public string? Reason { get; init; }

    [Description("Makes a retried request post once; derived from the request and the ledger state when absent.")]
    public string? IdempotencyKey { get; init; }
}

public sealed record CreditAdjustmentResponse(string AccountId, CreditEntryResponse Entry, long Balance, bool Replayed)
{
    public static CreditAdjustmentResponse From(string accountId, CreditAdjusted adjusted)
    {
        ArgumentNullException.ThrowIfNull(adjusted);
        return new(accountId, CreditEntryResponse.From(adjusted.Entry, withOperator: true), adjusted.Balance, adjusted.Replayed);
    }
}
