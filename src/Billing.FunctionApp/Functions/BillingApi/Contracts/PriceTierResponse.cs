namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>A graduated tier: overage units up to <see cref="UpTo"/> (null = no bound) cost <see cref="UnitAmount"/> each plus <see cref="FlatAmount"/> once.</summary>
public sealed record PriceTierResponse(long? UpTo, long UnitAmount, long FlatAmount);
