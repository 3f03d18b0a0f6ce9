using System.Globalization;
using Billing.StripeEmulator.Tests.StripeNet.Support;
using Stripe;

namespace Billing.StripeEmulator.Tests.StripeNet;

/// <summary>
/// The customer's invoice balance, as Stripe keeps it. Stripe's API reference (Invoices, <c>amount_due</c>): "If the
/// amount due for the invoice is less than Stripe's minimum allowed charge per currency, the invoice is automatically
/// marked paid, and we add the amount due to the customer's credit balance which is applied to the next invoice." The
/// minimums are Stripe's table (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts); the invoice's
/// <c>starting_balance</c> and <c>ending_balance</c> are the customer's <c>balance</c> before and after finalization.
/// </summary>
[Collection(SharedStripeNetEmulator.Name)]
public sealed class CustomerBalanceTests(StripeNetFixture fixture) : IAsyncLifetime
{
    private StripeClient Client => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_invoice_below_the_minimum_charge_is_marked_paid_and_its_amount_is_carried_onto_the_next_invoice()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "small@example.com" });

        var small = await FinalizedInvoiceAsync(customer.Id, 2, "usd");
        var carried = await Client.V1.Customers.GetAsync(customer.Id);
        var next = await FinalizedInvoiceAsync(customer.Id, 1000, "usd");
        var settled = await Client.V1.Customers.GetAsync(customer.Id);
        var paid = await Client.V1.Invoices.PayAsync(next.Id);
        var payment = Assert.Single((await Client.V1.InvoicePayments.ListAsync(new InvoicePaymentListOptions { Invoice = next.Id })).Data);

        // Marked paid at finalization without a charge: nothing is due, and the 2 cents are the customer's debit balance
        Assert.Equal(
            ("paid", 2L, 0L, 0L, 0L, 0L, (long?)2),
            (small.Status, small.Total, small.AmountDue, small.AmountPaid, small.AmountRemaining, small.StartingBalance, small.EndingBalance));
        Assert.Empty((await Client.V1.InvoicePayments.ListAsync(new InvoicePaymentListOptions { Invoice = small.Id })).Data);
        Assert.Equal(2, carried.Balance);

        // The next invoice finalized for the customer takes it: it is due on top of the invoice's total, and charged
        Assert.Equal(("open", 1000L, 2L, 1002L, (long?)0), (next.Status, next.Total, next.StartingBalance, next.AmountDue, next.EndingBalance));
        Assert.Equal(0, settled.Balance);
        Assert.Equal(("paid", 1002L, 0L), (paid.Status, paid.AmountPaid, paid.AmountRemaining));
        Assert.Equal(1002, payment.AmountPaid);
    }

    [Theory]
    [InlineData("usd", 50)]
    [InlineData("eur", 50)]
    [InlineData("gbp", 30)]
    [InlineData("jpy", 50)]
    public async Task The_minimum_charge_is_stripes_for_the_invoices_currency(string currency, long minimum)
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = $"{currency}@example.com" });

        var below = await FinalizedInvoiceAsync(customer.Id, minimum - 1, currency);
        var balance = (await Client.V1.Customers.GetAsync(customer.Id)).Balance;
        var atMinimum = await FinalizedInvoiceAsync(customer.Id, minimum - (minimum - 1), currency); // with the balance carried: the minimum exactly

        Assert.Equal(("paid", 0L, (long?)(minimum - 1)), (below.Status, below.AmountDue, below.EndingBalance));
        Assert.Equal(minimum - 1, balance);
        Assert.Equal(("open", minimum, (long?)0), (atMinimum.Status, atMinimum.AmountDue, atMinimum.EndingBalance));
        Assert.Equal(0, (await Client.V1.Customers.GetAsync(customer.Id)).Balance);
    }

    [Theory]
    [InlineData("isk")]
    [InlineData("kwd")]
    public async Task A_currency_without_a_minimum_in_stripes_table_is_charged_any_positive_amount(string currency)
    {
        // Stripe's table has no minimum for these (it converts to the settlement currency, which the emulator does not
        // model): one minor unit is charged, not carried to the balance.
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = $"{currency}@example.com" });

        var one = await FinalizedInvoiceAsync(customer.Id, 1, currency);

        Assert.Equal(("open", 1L, (long?)0), (one.Status, one.AmountDue, one.EndingBalance));
        Assert.Equal(0, (await Client.V1.Customers.GetAsync(customer.Id)).Balance);
    }

    [Fact]
    public async Task An_invoice_left_below_the_minimum_by_a_credit_balance_carries_all_it_owes_to_the_balance()
    {
        // A credit of 10 takes 40 down to 30, below usd's 50: the invoice is paid with nothing due, and the customer owes
        // the 30 on the balance (the credit it took, given back, and the amount too small).
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "small-credit@example.com" });
        await Client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { Balance = -10 });

        var small = await FinalizedInvoiceAsync(customer.Id, 40, "usd");

        Assert.Equal(("paid", -10L, 0L, (long?)30), (small.Status, small.StartingBalance, small.AmountDue, small.EndingBalance));
        Assert.Equal(30, (await Client.V1.Customers.GetAsync(customer.Id)).Balance);
    }

    [Fact]
    public async Task A_credit_balance_pays_what_it_covers_and_a_voided_invoice_gives_back_what_it_took()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "credit@example.com" });
        await FinalizedInvoiceAsync(customer.Id, 100, "usd"); // the customer's currency
        await Client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { Balance = -500 });

        var covered = await FinalizedInvoiceAsync(customer.Id, 300, "usd");
        var afterCovered = (await Client.V1.Customers.GetAsync(customer.Id)).Balance;
        var partly = await FinalizedInvoiceAsync(customer.Id, 1000, "usd");
        var afterPartly = (await Client.V1.Customers.GetAsync(customer.Id)).Balance;
        var voided = await Client.V1.Invoices.VoidInvoiceAsync(partly.Id);
        var afterVoid = (await Client.V1.Customers.GetAsync(customer.Id)).Balance;

        Assert.Equal(("paid", -500L, 0L, (long?)-200), (covered.Status, covered.StartingBalance, covered.AmountDue, covered.EndingBalance));
        Assert.Equal(-200, afterCovered);
        Assert.Equal(("open", -200L, 800L, (long?)0), (partly.Status, partly.StartingBalance, partly.AmountDue, partly.EndingBalance));
        Assert.Equal(0, afterPartly);
        Assert.Equal("void", voided.Status);
        Assert.Equal(-200, afterVoid);
    }

    [Fact]
    public async Task A_balance_carried_from_a_small_invoice_is_due_on_the_subscriptions_renewal()
    {
        var session = await Checkout.SubscribeAsync(Client, fixture.Emulator);
        var subscription = await Client.V1.Subscriptions.GetAsync(session.SubscriptionId);
        var small = await FinalizedInvoiceAsync(session.CustomerId, 2, "usd");

        await AdvanceClockAsync(subscription.Items.Data[0].CurrentPeriodEnd.AddMinutes(1));
        var renewal = (await Client.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = subscription.Id, Limit = 1 })).Data.Single();

        Assert.Equal(("paid", (long?)2), (small.Status, small.EndingBalance));
        Assert.Equal("subscription_cycle", renewal.BillingReason);
        Assert.Equal(("paid", 2L, renewal.Total + 2, renewal.Total + 2, (long?)0), (renewal.Status, renewal.StartingBalance, renewal.AmountDue, renewal.AmountPaid, renewal.EndingBalance));
        Assert.Equal(0, (await Client.V1.Customers.GetAsync(session.CustomerId)).Balance);
    }

    [Fact]
    public async Task Every_change_of_the_balance_is_in_the_customers_ledger_with_stripes_type()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "ledger@example.com" });

        var small = await FinalizedInvoiceAsync(customer.Id, 2, "usd");
        var alsoSmall = await FinalizedInvoiceAsync(customer.Id, 3, "usd"); // 5 with the balance: still below the minimum
        var next = await FinalizedInvoiceAsync(customer.Id, 1000, "usd");
        await Client.V1.Invoices.VoidInvoiceAsync(next.Id);
        var adjustment = await Client.V1.Customers.BalanceTransactions.CreateAsync(customer.Id, new CustomerBalanceTransactionCreateOptions { Amount = -300, Currency = "usd", Description = "Goodwill" });
        var ledger = await Client.V1.Customers.BalanceTransactions.ListAsync(customer.Id, new CustomerBalanceTransactionListOptions { Limit = 100 });
        var fetched = await Client.V1.Customers.BalanceTransactions.GetAsync(customer.Id, adjustment.Id);

        Assert.Equal(
            [
                ("invoice_too_small", 2L, 2L, small.Id),
                ("applied_to_invoice", -2L, 0L, alsoSmall.Id),
                ("invoice_too_small", 5L, 5L, alsoSmall.Id),
                ("applied_to_invoice", -5L, 0L, next.Id),
                ("unapplied_from_invoice", 5L, 5L, next.Id),
                ("adjustment", -300L, -295L, (string?)null),
            ],
            ledger.Data.AsEnumerable().Reverse().Select(t => (t.Type, t.Amount, t.EndingBalance, (string?)t.InvoiceId)));
        Assert.All(ledger.Data, t => Assert.Equal(("usd", customer.Id), (t.Currency, t.CustomerId)));
        Assert.Equal(("Goodwill", -295L), (fetched.Description, fetched.EndingBalance));
        Assert.Equal(-295, (await Client.V1.Customers.GetAsync(customer.Id)).Balance);
    }

    [Fact]
    public async Task A_drafts_amount_remaining_is_its_amount_due_with_the_customers_balance()
    {
        // The spec: amount_remaining is "The difference between amount_due and amount_paid"; a draft's amount_due already
        // counts the customer's current balance (its starting_balance), so its amount_remaining must too.
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "draft@example.com" });
        await FinalizedInvoiceAsync(customer.Id, 100, "usd"); // the customer's currency
        await Client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { Balance = 200 });
        await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 300, Currency = "usd", Description = "Usage" });

        var draft = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, Currency = "usd", PendingInvoiceItemsBehavior = "include", AutoAdvance = false });

        Assert.Equal(("draft", 300L, 200L, 500L, 0L, 500L), (draft.Status, draft.Total, draft.StartingBalance, draft.AmountDue, draft.AmountPaid, draft.AmountRemaining));
    }

    private async Task<Invoice> FinalizedInvoiceAsync(string customerId, long amount, string currency)
    {
        await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customerId, Amount = amount, Currency = currency, Description = "Usage" });
        var draft = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customerId, Currency = currency, PendingInvoiceItemsBehavior = "include", AutoAdvance = false });
        return await Client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
    }

    private Task AdvanceClockAsync(DateTime to) =>
        fixture.Emulator.ControlAsync("/_emulator/clock/advance", new Dictionary<string, string> { ["to"] = new DateTimeOffset(to, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) });
}
