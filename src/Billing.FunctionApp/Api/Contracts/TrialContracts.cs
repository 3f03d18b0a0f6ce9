
namespace Billing.FunctionApp.Api.Contracts;

/// <summary>The trial just started: the plan's limits apply from <see cref="StartedAt"/> until <see cref="EndsAt"/>.</summary>
public sealed record TrialResponse
{
    public required string Plan { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset EndsAt { get; init; }
}

/// <summary>The body of an endpoint that takes no input: empty or <c>{}</c>; any field is refused.</summary>
public sealed record EmptyRequest;
