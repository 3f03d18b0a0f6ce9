namespace Billing.Domain.Plans;

/// <summary>The configured plan catalog is invalid; <see cref="Errors"/> lists every problem found.</summary>
public sealed class PlanCatalogException : Exception
{
    public PlanCatalogException()
        : this([])
    {
    }

    public PlanCatalogException(string message)
        : this([message])
    {
    }

    public PlanCatalogException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public PlanCatalogException(IReadOnlyList<string> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }

    private static string Describe(IReadOnlyList<string> errors) =>
        "The plan catalog configuration is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => " - " + e));
}
