using System.Reflection;
using Billing.StripeEmulator.Tests.StripeNet.Support;
using Stripe;

namespace Billing.StripeEmulator.Tests.StripeNet;

/// <summary>
/// Keeps "every Stripe.net operation the product uses is exercised against the emulator" true: each entry of
/// <see cref="ProductOperations"/> must exist in Stripe.net and be named by a <see cref="CoversAttribute"/> on a test
/// here, and every <see cref="CoversAttribute"/> must name an entry. When the product starts using another
/// operation, add it here; this test then fails until a test drives it through the emulator.
/// </summary>
public sealed class SurfaceTests
{
    /// <summary>The Stripe.net service methods (type under <c>Stripe.</c>, then method) the product calls.</summary>
    public static readonly string[] ProductOperations =
    [
        "CustomerService.CreateAsync", "CustomerService.GetAsync", "CustomerService.SearchAsync", "CustomerService.SearchAutoPagingAsync",
        "CustomerService.DeleteAsync",
        "Checkout.SessionService.CreateAsync", "Checkout.SessionService.GetAsync", "Checkout.SessionService.ListAsync",
        "Checkout.SessionService.ListAutoPagingAsync", "Checkout.SessionService.ExpireAsync", "Checkout.SessionLineItemService.ListAsync",
        "BillingPortal.SessionService.CreateAsync",
        "SubscriptionService.GetAsync", "SubscriptionService.ListAsync", "SubscriptionService.ListAutoPagingAsync",
        "SubscriptionService.UpdateAsync", "SubscriptionService.CancelAsync",
        "PriceService.GetAsync", "PriceService.ListAsync", "PriceService.ListAutoPagingAsync",
        "InvoiceItemService.CreateAsync", "InvoiceItemService.ListAsync", "InvoiceItemService.ListAutoPagingAsync",
        "InvoiceService.CreateAsync", "InvoiceService.FinalizeInvoiceAsync", "InvoiceService.PayAsync", "InvoiceService.GetAsync",
        "InvoiceService.VoidInvoiceAsync", "InvoiceService.MarkUncollectibleAsync",
        "InvoiceService.ListAsync", "InvoiceService.ListAutoPagingAsync", "InvoiceLineItemService.ListAsync",
        "InvoicePaymentService.ListAsync",
        "RefundService.CreateAsync", "RefundService.GetAsync", "RefundService.ListAutoPagingAsync", "ChargeService.GetAsync", "PaymentIntentService.GetAsync",
        "DisputeService.ListAutoPagingAsync",
        "EventService.ListAsync", "EventService.GetAsync", "EventService.ListAutoPagingAsync",
        "Billing.MeterEventService.CreateAsync",
    ];

    [Fact]
    public void Every_product_operation_exists_in_stripe_net_and_has_a_test_against_the_emulator()
    {
        var stripeNet = typeof(StripeClient).Assembly;
        var unknown = ProductOperations.Where(operation =>
        {
            var split = operation.LastIndexOf('.');
            var type = stripeNet.GetType("Stripe." + operation[..split]);
            return type?.GetMethods(BindingFlags.Public | BindingFlags.Instance).Any(m => m.Name == operation[(split + 1)..]) != true;
        }).ToList();

        var covered = typeof(SurfaceTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Where(m => m.GetCustomAttribute<FactAttribute>() is not null)
            .SelectMany(m => m.GetCustomAttributes<CoversAttribute>())
            .SelectMany(a => a.Operations)
            .ToHashSet(StringComparer.Ordinal);
        var untested = ProductOperations.Except(covered, StringComparer.Ordinal).ToList();
        var stray = covered.Except(ProductOperations, StringComparer.Ordinal).ToList();

        Assert.True(unknown.Count == 0, "Not Stripe.net 53.1.0 methods: " + string.Join(", ", unknown));
        Assert.True(untested.Count == 0, "Product operations without a test against the emulator (add one in StripeNet/): " + string.Join(", ", untested));
        Assert.True(stray.Count == 0, "[Covers] names operations missing from ProductOperations: " + string.Join(", ", stray));
    }
}
