namespace Billing.Application.Outcomes;

/// <summary>The use case did what was asked.</summary>
public sealed record Succeeded<T>(T Value) : Outcome<T>;
