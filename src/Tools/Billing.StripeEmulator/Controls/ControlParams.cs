using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;

namespace Billing.StripeEmulator.Controls;

/// <summary>Parameters shared by several test controls.</summary>
internal static class ControlParams
{
    public static PaymentBehavior? Behavior(StripeParams p, string name)
    {
        var value = p.NonEmptyString(name);
        return value is null
            ? null
            : PaymentBehaviors.Parse(value) ?? throw StripeApiException.ParameterInvalid(name, $"Invalid {name}: must be one of {PaymentBehaviors.Allowed}.");
    }
}
