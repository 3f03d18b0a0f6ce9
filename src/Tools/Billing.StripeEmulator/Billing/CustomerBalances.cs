using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;

namespace Billing.StripeEmulator.Billing;

/// <summary>
/// The customer's invoice balance (`balance`), as Stripe applies it when an invoice is finalized: the invoice's
/// `starting_balance` is the customer's balance in its currency, `amount_due` its total plus that balance, and what is
/// left the `ending_balance`, which becomes the customer's. A credit larger than the total stays credit (nothing is
/// due). Stripe's API reference (Invoices, `amount_due`): "If the amount due for the invoice is less than Stripe's
/// minimum allowed charge per currency, the invoice is automatically marked paid, and we add the amount due to the
/// customer's credit balance which is applied to the next invoice": nothing is due and the amount is the ending balance
/// (the spec: "If the invoice's total is smaller than the minimum charge amount ... the `amount_due` may be 0").
/// Voiding an invoice gives back what its finalization took from the balance.
/// </summary>
internal static class CustomerBalances
{
    /// <summary>
    /// Stripe's minimum charge amounts in minor units (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
    /// Stripe's table lists these currencies only; a charge in any other currency must be worth the minimum of the
    /// account's settlement currency after conversion, which the emulator (without exchange rates) does not model: it
    /// charges any positive amount in them (isk and kwd among them).
    /// </summary>
    private static readonly Dictionary<string, long> MinimumCharges = new(StringComparer.Ordinal)
    {
        ["usd"] = 50, ["aed"] = 200, ["aud"] = 50, ["bgn"] = 100, ["brl"] = 50, ["cad"] = 50, ["chf"] = 50, ["czk"] = 1500,
        ["dkk"] = 250, ["eur"] = 50, ["gbp"] = 30, ["hkd"] = 400, ["huf"] = 17500, ["inr"] = 50, ["jpy"] = 50, ["mxn"] = 1000,
        ["myr"] = 200, ["nok"] = 300, ["nzd"] = 50, ["pln"] = 200, ["ron"] = 200, ["sek"] = 300, ["sgd"] = 50,
    };

    /// <summary>The smallest amount Stripe charges in <paramref name="currency"/> (1 where its table has none).</summary>
    public static long MinimumCharge(string currency) => MinimumCharges.GetValueOrDefault(currency, 1);

    /// <summary>
    /// What finalizing an invoice of <paramref name="total"/> does with a balance of <paramref name="balance"/>: the amount
    /// due and the balance left. Credit beyond the total, or an amount below the minimum charge, stays on the balance.
    /// </summary>
    public static (long AmountDue, long EndingBalance) Settle(long total, long balance, string currency)
    {
        var owed = total + balance;
        return owed <= 0 || owed < MinimumCharge(currency) ? (0, owed) : (owed, 0);
    }

    /// <summary>The customer's balance in <paramref name="currency"/>, which the next invoice finalized in it takes.</summary>
    public static long Of(CustomerRecord customer, string currency) => customer.Balances.GetValueOrDefault(currency);

    /// <summary>
    /// Fixes the invoice's balances and amount due at finalization and leaves the customer the ending balance, with the
    /// ledger's transactions: `applied_to_invoice` for what the invoice took (or, for a negative total, gave), and for an
    /// amount below the minimum charge `invoice_too_small` (after giving back a balance it had taken), as Stripe types them.
    /// </summary>
    public static void ApplyAtFinalization(Mutation m, InvoiceRecord invoice)
    {
        var customer = m.State.Customers[invoice.CustomerId];
        var starting = Of(customer, invoice.Currency);
        var (due, ending) = Settle(invoice.Total, starting, invoice.Currency);
        invoice.StartingBalance = starting;
        invoice.EndingBalance = ending;
        invoice.FinalAmountDue = due;
        var owed = invoice.Total + starting;
        if (due == 0 && owed > 0)
        {
            if (starting != 0)
            {
                Move(m, customer, invoice.Currency, -starting, "applied_to_invoice", invoice.Id);
            }

            Move(m, customer, invoice.Currency, owed, "invoice_too_small", invoice.Id);
        }
        else if (ending != starting)
        {
            Move(m, customer, invoice.Currency, ending - starting, "applied_to_invoice", invoice.Id);
        }
    }

    /// <summary>A voided invoice owes nothing: what its finalization moved on the customer's balance is moved back (`unapplied_from_invoice`).</summary>
    public static void GiveBackOnVoid(Mutation m, InvoiceRecord invoice)
    {
        if (invoice.StartingBalance is not { } starting || invoice.EndingBalance is not { } ending || starting == ending)
        {
            return;
        }

        Move(m, m.State.Customers[invoice.CustomerId], invoice.Currency, starting - ending, "unapplied_from_invoice", invoice.Id);
    }

    /// <summary>`balance` set on the customer (create or update): its balance in its currency (usd until it has one), an `adjustment`.</summary>
    public static void Set(Mutation m, CustomerRecord customer, long balance)
    {
        customer.Currency ??= "usd";
        var change = balance - Of(customer, customer.Currency);
        if (change != 0)
        {
            Move(m, customer, customer.Currency, change, "adjustment", null);
        }
    }

    /// <summary>`POST /v1/customers/{id}/balance_transactions`: an `adjustment` of <paramref name="amount"/> in the customer's currency.</summary>
    public static CustomerBalanceTransactionRecord Adjust(Mutation m, CustomerRecord customer, long amount, string currency, string? description)
    {
        if (customer.Currency is { } own && own != currency)
        {
            throw StripeApiException.InvalidRequest($"The currency of this transaction ({currency}) must match the customer's currency ({own}).", "currency");
        }

        customer.Currency ??= currency;
        return Move(m, customer, currency, amount, "adjustment", null, description);
    }

    private static CustomerBalanceTransactionRecord Move(Mutation m, CustomerRecord customer, string currency, long amount, string type, string? invoiceId, string? description = null)
    {
        var ending = Of(customer, currency) + amount;
        customer.Balances[currency] = ending;
        return m.State.Add(m.State.CustomerBalanceTransactions, new CustomerBalanceTransactionRecord
        {
            Id = IdGenerator.New("cbtxn"),
            Created = m.Now,
            CustomerId = customer.Id,
            Amount = amount,
            Currency = currency,
            EndingBalance = ending,
            Type = type,
            InvoiceId = invoiceId,
            Description = description,
        });
    }
}
