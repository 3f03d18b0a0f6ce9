using System.Text.Json.Nodes;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

internal static class CustomerBalanceTransactionShape
{
    public static JsonObject ToJson(CustomerBalanceTransactionRecord transaction) => new()
    {
        ["id"] = transaction.Id,
        ["object"] = "customer_balance_transaction",
        ["amount"] = transaction.Amount,
        ["checkout_session"] = null,
        ["created"] = transaction.Created,
        ["credit_note"] = null,
        ["currency"] = transaction.Currency,
        ["customer"] = transaction.CustomerId,
        ["customer_account"] = null,
        ["description"] = transaction.Description,
        ["ending_balance"] = transaction.EndingBalance,
        ["invoice"] = transaction.InvoiceId,
        ["livemode"] = false,
        ["metadata"] = StripeJson.Metadata(transaction.Metadata),
        ["type"] = transaction.Type,
    };
}
