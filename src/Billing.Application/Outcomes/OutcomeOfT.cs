namespace Billing.Application.Outcomes;

/// <summary>
/// What a use case decided: <see cref="Succeeded{T}"/> with its value, <see cref="Invalid{T}"/> (the request itself is
/// wrong: field errors, nothing was done) or <see cref="Refused{T}"/> (a valid request the account's state does not
/// allow, e.g. a second trial). Expected refusals are values, not exceptions; exceptions are for failures.
/// </summary>
public abstract record Outcome<T>
{
    private protected Outcome()
    {
    }
}

/// <summary>The use case did what was asked.</summary>
public sealed record Succeeded<T>(T Value) : Outcome<T>;

/// <summary>The request is malformed (unknown plan, URL not allowed, ...); nothing was read or written for it.</summary>
public sealed record Invalid<T>(ValidationErrors Errors) : Outcome<T>;

/// <summary>The request is well-formed but the account's state does not allow it; nothing was changed.</summary>
public sealed record Refused<T>(Refusal Refusal) : Outcome<T>;
