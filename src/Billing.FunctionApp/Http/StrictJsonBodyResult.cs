namespace Billing.FunctionApp.Http;

/// <summary>
/// Either the body (<see cref="Value"/>) or the problem to answer instead (400, 413 or 415). A 400 also carries its
/// <see cref="Errors"/> (field name to messages, <c>$</c> for the body or element as a whole), so a batch can report
/// each record's errors inside its own answer.
/// </summary>
internal sealed record StrictJsonBodyResult<T>
    where T : class
{
    private StrictJsonBodyResult()
    {
    }

    public T? Value { get; private init; }

    public IResult? Problem { get; private init; }

    /// <summary>The field errors of a 400; null when read, or for a 413 or 415.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; private init; }

    public static StrictJsonBodyResult<T> Read(T value) => new() { Value = value };

    public static StrictJsonBodyResult<T> Failed(IResult problem) => new() { Problem = problem };

    /// <summary>A 400 naming each bad field.</summary>
    public static StrictJsonBodyResult<T> Invalid(Dictionary<string, string[]> errors) =>
        new() { Problem = Problems.Invalid(errors), Errors = errors };
}
