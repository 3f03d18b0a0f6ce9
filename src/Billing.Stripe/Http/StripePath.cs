namespace Billing.Stripe.Http;

/// <summary>Builds request paths with ids escaped as one path segment.</summary>
internal static class StripePath
{
    public static string Of(string prefix, string id, string? suffix = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return prefix + "/" + Uri.EscapeDataString(id) + suffix;
    }
}
