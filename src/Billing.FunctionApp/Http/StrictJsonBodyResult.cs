namespace Billing.FunctionApp.Http;

/// <summary>Either the body (<see cref="Value"/>) or the problem to answer instead (400, 413 or 415).</summary>
internal sealed record StrictJsonBodyResult<T>
    where T : class
{
    private StrictJsonBodyResult()
    {
    }

    public T? Value { get; private init; }

    public IResult? Problem { get; private init; }

    public static StrictJsonBodyResult<T> Read(T value) => new() { Value = value };

    public static StrictJsonBodyResult<T> Failed(IResult problem) => new() { Problem = problem };
}
