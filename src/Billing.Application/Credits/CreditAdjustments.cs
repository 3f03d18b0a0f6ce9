using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Billing.Application.Accounts;
using Billing.Application.Outcomes;
using Billing.Domain;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Credits;

/// <summary>An operator's adjustment request (<c>POST /api/billing/admin/accounts/{id}/credits</c>).</summary>
public sealed record CreditAdjustmentRequest(long? Amount, string? Currency, string? Reason, string? IdempotencyKey);

/// <summary>The adjustment's entry (now or before, for the same key) and the balance spendable after it in that currency.</summary>
public sealed record CreditAdjusted(CreditEntry Entry, long Balance, bool Replayed);

/// <summary>
/// Manual credit adjustments by an operator: positive adds a grant without expiry, negative takes credit in the order
/// invoices spend it (the grant expiring soonest first, then the oldest: <see cref="CreditBook"/>) and is refused
/// beyond the spendable balance. The entry records the reason and the operator (from the admin
/// token). Idempotent per <c>idempotencyKey</c>; without one the key is derived from the request and the book's
/// version, so a double submit of the same request against the same ledger state posts once. Credit is added only in a
/// currency the catalog invoices usage in (a plan's <see cref="Plan.Currency"/>), the only credit invoicing can spend;
/// it is taken away in any currency the account holds. Either way the amount is one Stripe can charge as it is
/// (<see cref="Currency.IsWhole"/>), so a balance only ever holds such amounts and so does every credit line it pays.
/// </summary>
public sealed partial class CreditAdjustments(IBillingAccountStore accounts, CreditLedger ledger, PlanCatalog catalog, TimeProvider time, ILogger<CreditAdjustments> logger)
{
    public const int MaxReasonLength = 500;

    public async Task<Outcome<CreditAdjusted>> AdjustAsync(AccountId accountId, CreditAdjustmentRequest request, string operatorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        var errors = new ValidationErrors();
        var isCurrency = Currency.TryParse(request.Currency, out var currency);
        if (request.Amount is not { } amount || amount == 0 || amount is < -CreditOperation.MaxAmount or > CreditOperation.MaxAmount)
        {
            errors.Add("amount", string.Create(CultureInfo.InvariantCulture, $"The amount is required: a non-zero whole number of minor units from -{CreditOperation.MaxAmount} to {CreditOperation.MaxAmount} (negative takes credit away)."));
        }
        else if (isCurrency && !currency.IsWhole(amount))
        {
            errors.Add("amount", currency.NotWholeMessage(amount));
        }

        if (!isCurrency)
        {
            errors.Add("currency", Currency.InvalidMessage(request.Currency));
        }
        else if (request.Amount > 0 && catalog.WhyCreditUnspendable(currency) is { } unspendable)
        {
            errors.Add("currency", unspendable);
        }

        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > MaxReasonLength)
        {
            errors.Add("reason", $"The reason is required (1..{MaxReasonLength} characters).");
        }
        else if (HiddenCharacters.AnyIn(request.Reason))
        {
            // The customer reads the reason in their ledger: no character that is not shown, or reorders what is.
            errors.Add("reason", "The reason must be one line of plain text: no control characters or bidirectional overrides.");
        }

        if (request.IdempotencyKey is { } given && (given.Length is 0 or > 128 || given.Any(char.IsControl)))
        {
            errors.Add("idempotencyKey", "The idempotency key must be 1..128 printable characters.");
        }

        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<CreditAdjusted>(errors);
        }

        if (await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false) is null)
        {
            return Outcome.Refused<CreditAdjusted>(RefusalReason.AccountNotFound, $"Account {accountId} is not registered.");
        }

        var key = request.IdempotencyKey;
        if (key is null)
        {
            var book = await ledger.ReadAsync(accountId, cancellationToken).ConfigureAwait(false);
            var text = string.Join('\n', operatorId, request.Amount!.Value.ToString(CultureInfo.InvariantCulture), currency.Code, request.Reason, book.Version.ToString(CultureInfo.InvariantCulture));
            key = "v" + book.Version.ToString(CultureInfo.InvariantCulture) + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
        }

        var posting = await ledger.PostAsync(accountId, CreditOperation.Adjust(key, currency, request.Amount!.Value, request.Reason!, operatorId), cancellationToken).ConfigureAwait(false);
        switch (posting.Kind)
        {
            case CreditPostingKind.InsufficientCredit:
                return Outcome.Refused<CreditAdjusted>(RefusalReason.InsufficientCredit, posting.Note ?? "Not enough spendable credit.");
            case CreditPostingKind.AlreadyPosted when posting.Entry!.Amount != request.Amount || posting.Entry.Currency != currency:
                return Outcome.Refused<CreditAdjusted>(RefusalReason.IdempotencyKeyReused, "The idempotency key was used for another adjustment.");
        }

        var entry = posting.Entry!;
        LogAdjusted(accountId.Value, entry.Amount, entry.Currency.Code, operatorId, posting.Kind == CreditPostingKind.AlreadyPosted);
        return Outcome.Succeeded(new CreditAdjusted(entry, posting.Book.SpendableBalances(time.GetUtcNow()).GetValueOrDefault(currency), posting.Kind == CreditPostingKind.AlreadyPosted));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Credit of account {AccountId} adjusted by {Amount} {Currency} by operator {Operator} (replay: {Replayed})")]
    private partial void LogAdjusted(string accountId, long amount, string currency, string @operator, bool replayed);
}
