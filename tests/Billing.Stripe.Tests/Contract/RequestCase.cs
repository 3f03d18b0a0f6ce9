using System.Text.Json.Nodes;

namespace Billing.Stripe.Tests.Contract;

/// <summary>One call the client can make, with the operation it must hit and the fixture-based answer to replay.</summary>
/// <param name="Name">Readable test case name.</param>
/// <param name="Covers">The service method exercised, as "IInterface.Method".</param>
/// <param name="Method">Expected HTTP method.</param>
/// <param name="SpecPath">Expected path template in the spec.</param>
/// <param name="Request">The request object (checked to be fully populated when <paramref name="FullyPopulated"/>).</param>
/// <param name="Invoke">Makes the call.</param>
/// <param name="Response">The answer body, built from fixtures3.json.</param>
internal sealed record RequestCase(
    string Name,
    string Covers,
    HttpMethod Method,
    string SpecPath,
    object? Request,
    Func<IStripeClient, Task<object>> Invoke,
    Func<JsonNode> Response,
    bool FullyPopulated = true)
{
    public override string ToString() => Name;
}
