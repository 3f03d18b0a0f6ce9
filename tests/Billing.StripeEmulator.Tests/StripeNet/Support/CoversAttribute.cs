namespace Billing.StripeEmulator.Tests.StripeNet.Support;

/// <summary>Names the Stripe.net operations (<c>Service.Method</c>, e.g. <c>CustomerService.CreateAsync</c>) a test drives.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class CoversAttribute(params string[] operations) : Attribute
{
    public IReadOnlyList<string> Operations { get; } = operations;
}
