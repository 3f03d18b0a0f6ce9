namespace Billing.Application.Redirects;

/// <summary>
/// Where a request may send the customer after Checkout or the portal (section <c>Billing:Redirects</c>): a URL given
/// in a request is used only when its origin (scheme, host, port) is listed here. Configured defaults need no listing.
/// </summary>
public sealed class RedirectOptions
{
    public const string SectionName = "Billing:Redirects";

    /// <summary>Origins such as <c>https://app.example.com</c> (no path); empty = request URLs are never accepted.</summary>
    public IList<string> AllowedOrigins { get; } = [];
}
