namespace Billing.Application.Portal;

/// <summary>The customer portal's default return target (section <c>Billing:Portal</c>), used when a request names none.</summary>
public sealed class PortalOptions
{
    public const string SectionName = "Billing:Portal";

    /// <summary>e.g. <c>https://app.example.com/billing</c>.</summary>
    public string ReturnUrl { get; set; } = "";
}
