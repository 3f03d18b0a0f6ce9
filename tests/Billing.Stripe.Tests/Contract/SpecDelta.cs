using System.Text.Json.Nodes;

namespace Billing.Stripe.Tests.Contract;

/// <summary>One change between Stripe's 2023-08-16 spec (the one available here) and API 2026-07-29.dahlia (the
/// version the client pins), applied to the loaded spec before requests are checked against it.</summary>
/// <param name="Apply">Patches the existing 2023 operation (method object).</param>
/// <param name="AddedOperation">The whole operation, for operations absent from the 2023 spec.</param>
internal sealed record SpecDelta(string Method, string Path, string Change, Action<JsonObject>? Apply = null, string? AddedOperation = null);
