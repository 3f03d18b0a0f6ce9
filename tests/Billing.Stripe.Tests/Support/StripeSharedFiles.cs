using System.Text.Json.Nodes;
using Billing.TestSupport;

namespace Billing.Stripe.Tests.Support;

/// <summary>Stripe's official fixtures (2026-07-29.dahlia) and spec (2023-08-16), read at run time from ../shared/stripe.</summary>
internal static class StripeSharedFiles
{
    public const string MissingMessage =
        "Stripe's spec and fixtures were not found: set BILLING_SHARED_DIR to the folder holding stripe/ (e.g. /work/shared) or place shared/ beside the clone.";

    private static readonly Lazy<JsonObject> FixturesLazy = new(() => Load("fixtures3.json"));
    private static readonly Lazy<JsonObject> SpecLazy = new(() => Load("spec3.2023-08-16.json"));

    /// <summary>fixtures3.json <c>resources</c>; do not mutate (clone with DeepClone).</summary>
    public static JsonObject Fixtures => FixturesLazy.Value["resources"]!.AsObject();

    public static JsonObject Spec => SpecLazy.Value;

    public static JsonObject Fixture(string objectType) => Fixtures[objectType]!.DeepClone().AsObject();

    private static JsonObject Load(string file)
    {
        var dir = RepoPaths.SharedStripeDir ?? throw new InvalidOperationException(MissingMessage);
        return JsonNode.Parse(File.ReadAllText(Path.Combine(dir, file)))!.AsObject();
    }
}
