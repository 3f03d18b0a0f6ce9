using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Billing;

/// <summary>
/// PaymentIntents, charges and refunds behind invoices and payment-mode Checkout. The objects exist (and can be read
/// and refunded); like the rest of the emulator, charging raises the invoice or Checkout events only, not
/// `payment_intent.*` / `charge.succeeded`. Refunds raise `refund.created` and `charge.refunded`.
/// </summary>
internal static class Payments
{
    public static PaymentIntentRecord NewIntent(Mutation m, long amount, string currency, string? customerId, string? description, string? invoiceId, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var intent = new PaymentIntentRecord
        {
            Id = IdGenerator.New("pi"),
            Created = m.Now,
            Amount = amount,
            Currency = currency,
            CustomerId = customerId,
            Description = description,
            InvoiceId = invoiceId,
        };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            intent.Metadata[key] = value;
        }

        return m.State.Add(m.State.PaymentIntents, intent);
    }

    /// <summary>The invoice's PaymentIntent, made at its first payment attempt.</summary>
    public static PaymentIntentRecord ForInvoice(Mutation m, InvoiceRecord invoice)
    {
        if (invoice.PaymentIntentId is not null)
        {
            return m.State.PaymentIntents[invoice.PaymentIntentId];
        }

        var description = invoice.SubscriptionId is null ? null : "Subscription update";
        var intent = NewIntent(m, invoice.AmountDue, invoice.Currency, invoice.CustomerId, description, invoice.Id);
        invoice.PaymentIntentId = intent.Id;
        invoice.InvoicePaymentId = IdGenerator.New("inpay");
        return intent;
    }

    /// <summary>The intent succeeds with one card charge for its whole amount.</summary>
    public static ChargeRecord Succeed(Mutation m, PaymentIntentRecord intent, string? email = null, string? name = null)
    {
        var customer = intent.CustomerId is null ? null : m.State.Customers.GetValueOrDefault(intent.CustomerId);
        var paymentMethod = customer?.DefaultPaymentMethod ?? intent.PaymentMethod ?? IdGenerator.New("pm");
        var charge = new ChargeRecord
        {
            Id = IdGenerator.New("ch"),
            Created = m.Now,
            Amount = intent.Amount,
            Currency = intent.Currency,
            CustomerId = intent.CustomerId,
            PaymentIntentId = intent.Id,
            PaymentMethod = paymentMethod,
            Description = intent.Description,
            BillingEmail = email ?? customer?.Email,
            BillingName = name ?? customer?.Name,
        };
        foreach (var (key, value) in intent.Metadata)
        {
            charge.Metadata[key] = value;
        }

        m.State.Add(m.State.Charges, charge);
        intent.Status = "succeeded";
        intent.PaymentMethod = paymentMethod;
        intent.LatestChargeId = charge.Id;
        intent.AmountReceived = intent.Amount;
        return charge;
    }

    /// <summary>
    /// `POST /v1/refunds`: refunds <paramref name="amount"/> (default: all that is left) of a succeeded charge. A charge
    /// charged back (a dispute open or lost: the emulator's disputes are chargebacks, `is_charge_refundable: false`) is
    /// refused as Stripe refuses it, 400 `charge_disputed`: the bank takes the money back through the dispute.
    /// </summary>
    public static RefundRecord Refund(Mutation m, ChargeRecord charge, long? amount, string? reason, MetadataUpdate? metadata)
    {
        if (charge.DisputeId is { } disputeId && m.State.Disputes[disputeId].Status != "won")
        {
            throw StripeApiException.InvalidRequest($"Charge {charge.Id} has been charged back; cannot issue a refund.", null, "charge_disputed");
        }

        var left = charge.Amount - charge.AmountRefunded;
        if (left <= 0)
        {
            throw StripeApiException.InvalidRequest($"Charge {charge.Id} has already been refunded.", null, "charge_already_refunded");
        }

        var refundAmount = amount ?? left;
        if (refundAmount <= 0)
        {
            throw StripeApiException.ParameterInvalid("amount", "Invalid positive integer", "parameter_invalid_integer");
        }

        if (refundAmount > left)
        {
            throw StripeApiException.InvalidRequest(
                $"Refund amount ({MoneyText.Format(refundAmount, charge.Currency)}) is greater than unrefunded amount on charge ({MoneyText.Format(left, charge.Currency)})",
                "amount",
                "amount_too_large");
        }

        var refund = new RefundRecord
        {
            Id = IdGenerator.New("re"),
            Created = m.Now,
            Amount = refundAmount,
            Currency = charge.Currency,
            ChargeId = charge.Id,
            PaymentIntentId = charge.PaymentIntentId,
            CustomerId = charge.CustomerId,
            PaymentMethod = charge.PaymentMethod,
            Reason = reason,
        };
        metadata?.ApplyTo(refund.Metadata);
        m.State.Add(m.State.Refunds, refund);
        var before = ChargeShape.ToJson(charge, m.State);
        charge.AmountRefunded += refundAmount;
        charge.RefundIds.Add(refund.Id);
        m.Emit("refund.created", RefundShape.ToJson(refund));
        var after = ChargeShape.ToJson(charge, m.State);
        m.Emit("charge.refunded", after, PreviousAttributes.Diff(before, after));
        return refund;
    }
}
