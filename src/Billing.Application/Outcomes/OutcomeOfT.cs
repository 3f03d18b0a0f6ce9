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
