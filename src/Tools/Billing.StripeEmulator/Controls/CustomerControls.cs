using System.Text.Json.Nodes;
using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;

namespace Billing.StripeEmulator.Controls;

/// <summary>`POST /_emulator/customers/{id}/payment_method` (`behavior`): how the customer's next charges end.</summary>
internal static class CustomerControls
{
    public static IEndpointRouteBuilder MapCustomerControls(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/_emulator/customers/{id}/payment_method", SetPaymentMethod);
        return routes;
    }

    private static IResult SetPaymentMethod(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("behavior");
        var behavior = ControlParams.Behavior(p, "behavior") ?? throw StripeApiException.ParameterMissing("behavior");
        var json = store.Write(RequestInfo.Automatic, m =>
        {
            var customer = Lookup.Customer(m.State, id);
            Customers.SetPaymentBehavior(customer, behavior);
            return new JsonObject
            {
                ["object"] = "emulator.payment_method",
                ["customer"] = customer.Id,
                ["payment_method"] = customer.DefaultPaymentMethod,
                ["behavior"] = PaymentBehaviors.Name(behavior),
            };
        });
        return StripeResults.Json(json);
    }
}
