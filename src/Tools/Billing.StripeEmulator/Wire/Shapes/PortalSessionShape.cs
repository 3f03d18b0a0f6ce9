using System.Text.Json.Nodes;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

internal static class PortalSessionShape
{
    public static JsonObject ToJson(PortalSessionRecord session) => new()
    {
        ["id"] = session.Id,
        ["object"] = "billing_portal.session",
        ["after_expiration"] = null,
        ["configuration"] = session.Configuration,
        ["created"] = session.Created,
        ["customer"] = session.CustomerId,
        ["customer_account"] = null,
        ["flow"] = session.FlowType is null
            ? null
            : new JsonObject
            {
                ["after_completion"] = new JsonObject { ["hosted_confirmation"] = null, ["redirect"] = null, ["type"] = "portal_homepage" },
                ["subscription_cancel"] = null,
                ["subscription_update"] = null,
                ["subscription_update_confirm"] = null,
                ["type"] = session.FlowType,
            },
        ["livemode"] = false,
        ["locale"] = session.Locale,
        ["on_behalf_of"] = null,
        ["return_url"] = session.ReturnUrl,
        ["url"] = session.Url,
    };
}
