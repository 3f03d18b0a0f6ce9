namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>The public plan catalog, in configuration order.</summary>
public sealed record PlansResponse(IReadOnlyList<PlanResponse> Plans);
