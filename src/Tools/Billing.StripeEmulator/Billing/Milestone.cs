namespace Billing.StripeEmulator.Billing;

/// <summary>Something that happens by itself at a point in time (a renewal, a trial ending, an invoice advancing).</summary>
internal readonly record struct Milestone(long At, long Order, MilestoneKind Kind, string TargetId);
