using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.FunctionApp.Functions.BillingApi.Http;

/// <summary>Exactly one of: the body (<see cref="Value"/>), field errors (<see cref="ValidationFailure"/>, 400) or another problem (<see cref="Failure"/>, 413/415).</summary>
internal sealed record StrictJsonBodyResult<T>
    where T : class
{
    private StrictJsonBodyResult()
    {
    }

    public T? Value { get; private init; }

    public ValidationProblem? ValidationFailure { get; private init; }

    public ProblemHttpResult? Failure { get; private init; }

    public static StrictJsonBodyResult<T> Read(T value) => new() { Value = value };

    public static StrictJsonBodyResult<T> Invalid(Dictionary<string, string[]> errors) =>
        new() { ValidationFailure = TypedResults.ValidationProblem(errors, title: ApiProblems.InvalidRequestTitle) };

    public static StrictJsonBodyResult<T> Failed(ProblemHttpResult problem) => new() { Failure = problem };
}
