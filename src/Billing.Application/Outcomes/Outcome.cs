namespace Billing.Application.Outcomes;

/// <summary>Factories that read well at the return site: <c>return Outcome.Refused&lt;T&gt;(...)</c>.</summary>
public static class Outcome
{
    public static Outcome<T> Succeeded<T>(T value) => new Succeeded<T>(value);

    public static Outcome<T> Invalid<T>(ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.IsEmpty)
        {
            throw new ArgumentException("An invalid outcome needs at least one field error.", nameof(errors));
        }

        return new Invalid<T>(errors);
    }

    public static Outcome<T> Refused<T>(RefusalReason reason, string detail) => new Refused<T>(new Refusal(reason, detail));

    public static Outcome<T> Refused<T>(Refusal refusal) => new Refused<T>(refusal);

    /// <summary>A one-field <see cref="Invalid{T}"/>.</summary>
    public static Outcome<T> Invalid<T>(string field, string message) => new Invalid<T>(new ValidationErrors().Add(field, message));
}
