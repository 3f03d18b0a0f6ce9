using Billing.Application.Invoicing;
using Billing.Application.Payments;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Tests.Payments;

/// <summary>Keys go into an HTTP header (printable ASCII, at most 255 characters) and never collide across steps.</summary>
public sealed class PaymentIdempotencyKeysTests
{
    [Fact]
    public void A_usage_invoice_step_keeps_the_key_runs_already_use_for_a_plain_account_id()
    {
        Assert.Equal("billing-usage:user-42:sub-20261110T100000Z:invoice", PaymentIdempotencyKeys.UsageInvoiceStep(AccountId.Parse("user-42"), "sub-20261110T100000Z", "invoice"));
    }

    [Theory]
    [InlineData("utilisateur-é")]
    [InlineData("用户-42")]
    [InlineData("a b")]
    public void An_account_id_that_cannot_go_into_a_header_is_hashed(string id)
    {
        var longest = id + new string('x', 128 - id.Length);

        foreach (var account in new[] { id, longest })
        {
            var accountId = AccountId.Parse(account);
            var usage = PaymentIdempotencyKeys.UsageInvoiceStep(accountId, "sub-20261110T100000Z", "item:" + InvoiceRun.CreditLineKey);
            var checkout = PaymentIdempotencyKeys.CheckoutCreation(
                BillingAccount.Open(accountId, DateTimeOffset.UnixEpoch), "price_pro_month", 14, "https://app.example.com/billing/done", "https://app.example.com/billing");
            foreach (var (key, hashed) in new[] { (usage, "billing-usage:sha256:"), (checkout, "checkout-create:sha256:") })
            {
                Assert.All(key, c => Assert.InRange(c, '!', '~'));
                Assert.InRange(key.Length, 1, 255);
                Assert.StartsWith(hashed, key, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void An_account_named_like_another_accounts_hash_gets_keys_of_its_own()
    {
        var other = AccountId.Parse("Acme Corp");
        var namedLikeItsHash = AccountId.Parse("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(other.Value))));

        Assert.NotEqual(PaymentIdempotencyKeys.CustomerCreation(other), PaymentIdempotencyKeys.CustomerCreation(namedLikeItsHash));
        Assert.NotEqual(
            PaymentIdempotencyKeys.UsageInvoiceStep(other, "sub-20261110T100000Z", "invoice"),
            PaymentIdempotencyKeys.UsageInvoiceStep(namedLikeItsHash, "sub-20261110T100000Z", "invoice"));
        Assert.StartsWith("customer-create:sha256:", PaymentIdempotencyKeys.CustomerCreation(namedLikeItsHash), StringComparison.Ordinal);
    }

    [Fact]
    public void The_credit_line_s_step_is_no_meter_s_step()
    {
        Assert.Contains(':', InvoiceRun.CreditLineKey);
        Assert.False(MeterName.TryParse("credit:prepaid", out _)); // a meter named like the credit line cannot exist
        Assert.True(MeterName.TryParse("credit", out _)); // ... while one named "credit" can: its key is item:credit
    }
}
