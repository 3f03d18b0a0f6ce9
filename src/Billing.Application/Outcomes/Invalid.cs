namespace Billing.Application.Outcomes;

/// <summary>The request is malformed (unknown plan, URL not allowed, ...); nothing was read or written for it.</summary>
public sealed record Invalid<T>(ValidationErrors Errors) : Outcome<T>;
