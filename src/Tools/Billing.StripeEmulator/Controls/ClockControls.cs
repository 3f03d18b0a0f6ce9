using System.Text.Json.Nodes;
using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;

namespace Billing.StripeEmulator.Controls;

/// <summary>`GET /_emulator/clock`, `POST /_emulator/clock/advance` (`seconds` or `to`): moves time forward and runs what falls due.</summary>
internal static class ClockControls
{
    public static IEndpointRouteBuilder MapClockControls(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/_emulator/clock", (HttpContext context, EmulatorClock clock) =>
        {
            context.Params().AllowOnly();
            return StripeResults.Json(Describe(clock, 0));
        });
        routes.MapPost("/_emulator/clock/advance", Advance);
        return routes;
    }

    private static IResult Advance(HttpContext context, EmulatorClock clock, RenewalEngine engine)
    {
        var p = context.Params().AllowOnly("seconds", "to");
        var seconds = p.Long("seconds");
        var to = p.Long("to");
        if ((seconds is null) == (to is null))
        {
            throw StripeApiException.InvalidRequest("Pass exactly one of `seconds` (how far to move) or `to` (a unix time).", "seconds", "parameter_missing");
        }

        var step = seconds ?? to!.Value - clock.UnixNow();
        if (step < 0)
        {
            throw StripeApiException.ParameterInvalid(seconds is null ? "to" : "seconds", "The emulator clock only moves forward.", "parameter_invalid_integer");
        }

        clock.AdvanceBy(step);
        var handled = engine.RunDue();
        return StripeResults.Json(Describe(clock, handled));
    }

    private static JsonObject Describe(EmulatorClock clock, int milestones)
    {
        var now = clock.UnixNow();
        return new JsonObject
        {
            ["object"] = "emulator.clock",
            ["now"] = now,
            ["iso"] = DateTimeOffset.FromUnixTimeSeconds(now).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["offset_seconds"] = clock.OffsetSeconds,
            ["milestones_processed"] = milestones,
        };
    }
}
