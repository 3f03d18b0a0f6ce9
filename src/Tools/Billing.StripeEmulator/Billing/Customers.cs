using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Billing;

internal static class Customers
{
    public static CustomerRecord Create(Mutation m, string? email, string? name, string? description = null, string? phone = null)
    {
        var customer = m.State.Add(m.State.Customers, new CustomerRecord
        {
            Id = IdGenerator.Customer(),
            Created = m.Now,
            Email = email,
            Name = name,
            Description = description,
            Phone = phone,
            InvoicePrefix = IdGenerator.InvoicePrefix(),
        });
        return customer;
    }

    public static void EmitCreated(Mutation m, CustomerRecord customer) =>
        m.Emit("customer.created", CustomerShape.ToJson(customer));

    /// <summary>Saves a payment method with the given behaviour as the customer's default.</summary>
    public static void SetPaymentBehavior(CustomerRecord customer, PaymentBehavior behavior)
    {
        customer.PaymentBehavior = behavior;
        customer.DefaultPaymentMethod = IdGenerator.New("pm", 24);
    }
}
