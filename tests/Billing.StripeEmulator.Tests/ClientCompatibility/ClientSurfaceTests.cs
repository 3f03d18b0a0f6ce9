using System.Reflection;
using Billing.Stripe;

namespace Billing.StripeEmulator.Tests.ClientCompatibility;

/// <summary>
/// Keeps "every operation of the client is exercised against the emulator" true: the methods of the
/// <see cref="IStripeClient"/> services must be exactly the ones the compatibility tests cover. A new client method
/// fails this test until a test in this folder drives it and it is added to <see cref="Covered"/>.
/// </summary>
public sealed class ClientSurfaceTests
{
    /// <summary>Service.Method -> the test class that drives it through the real client.</summary>
    private static readonly Dictionary<string, string> Covered = new(StringComparer.Ordinal)
    {
        ["Customers.CreateAsync"] = nameof(CustomerClientTests),
        ["Customers.GetAsync"] = nameof(CustomerClientTests),
        ["Customers.SearchAsync"] = nameof(CustomerClientTests),
        ["Customers.SearchAutoPagingAsync"] = nameof(CustomerClientTests),
        ["CheckoutSessions.CreateAsync"] = nameof(CheckoutSessionClientTests),
        ["CheckoutSessions.GetAsync"] = nameof(CheckoutSessionClientTests),
        ["CheckoutSessions.GetWithLineItemsAsync"] = nameof(CheckoutSessionClientTests),
        ["BillingPortalSessions.CreateAsync"] = nameof(BillingPortalClientTests),
        ["Subscriptions.GetAsync"] = nameof(SubscriptionClientTests),
        ["Subscriptions.UpdateAsync"] = nameof(SubscriptionClientTests),
        ["Subscriptions.CancelAsync"] = nameof(SubscriptionClientTests),
        ["Subscriptions.ListAsync"] = nameof(SubscriptionClientTests),
        ["Subscriptions.ListAutoPagingAsync"] = nameof(SubscriptionClientTests),
        ["Prices.GetAsync"] = nameof(PriceClientTests),
        ["Prices.ListAsync"] = nameof(PriceClientTests),
        ["Prices.ListAutoPagingAsync"] = nameof(PriceClientTests),
        ["InvoiceItems.CreateAsync"] = nameof(InvoiceClientTests),
        ["Invoices.CreateAsync"] = nameof(InvoiceClientTests),
        ["Invoices.FinalizeAsync"] = nameof(InvoiceClientTests),
        ["Invoices.PayAsync"] = nameof(InvoiceClientTests),
        ["Invoices.GetAsync"] = nameof(InvoiceClientTests),
        ["Invoices.ListAsync"] = nameof(InvoiceClientTests),
        ["Invoices.ListAutoPagingAsync"] = nameof(InvoiceClientTests),
        ["Events.GetAsync"] = nameof(EventClientTests),
        ["Events.ListAsync"] = nameof(EventClientTests),
        ["Events.ListAutoPagingAsync"] = nameof(EventClientTests),
        ["BillingMeterEvents.CreateAsync"] = nameof(MeterEventClientTests),
    };

    [Fact]
    public void Every_client_operation_has_a_compatibility_test()
    {
        var operations = typeof(IStripeClient).GetProperties()
            .SelectMany(service => service.PropertyType.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Select(method => $"{service.Name}.{method.Name}"))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        var untested = operations.Except(Covered.Keys, StringComparer.Ordinal).ToList();
        var stale = Covered.Keys.Except(operations, StringComparer.Ordinal).ToList();

        Assert.True(untested.Count == 0, "Client operations without a test against the emulator (add one in ClientCompatibility/): " + string.Join(", ", untested));
        Assert.True(stale.Count == 0, "Covered operations that the client no longer has: " + string.Join(", ", stale));
    }
}
