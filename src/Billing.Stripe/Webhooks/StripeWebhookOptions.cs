namespace Billing.Stripe.Webhooks;

/// <summary>Settings of <see cref="StripeWebhookVerifier"/>. <see cref="ToString"/> never shows the secrets.</summary>
public sealed class StripeWebhookOptions
{
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The endpoint's signing secrets (<c>whsec_...</c>). More than one while a secret is being rolled:
    /// a signature made with any of them is accepted.</summary>
    public IList<string> Secrets { get; } = new List<string>();

    /// <summary>How far the signed timestamp may be from now, in the past or the future (default 300 s).</summary>
    public TimeSpan Tolerance { get; set; } = DefaultTolerance;

    /// <summary>Every problem with these settings, as readable messages; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Secrets.Count == 0)
        {
            errors.Add("StripeWebhookOptions.Secrets needs at least one webhook signing secret (whsec_...).");
        }

        for (var i = 0; i < Secrets.Count; i++)
        {
            if (string.IsNullOrEmpty(Secrets[i]) || Secrets[i].Any(char.IsWhiteSpace))
            {
                errors.Add($"StripeWebhookOptions.Secrets[{i}] is empty or contains whitespace.");
            }
        }

        if (Tolerance <= TimeSpan.Zero)
        {
            errors.Add($"StripeWebhookOptions.Tolerance must be positive (was {Tolerance}).");
        }

        return errors;
    }

    public override string ToString() => $"StripeWebhookOptions {{ Secrets = {Secrets.Count} configured, Tolerance = {Tolerance} }}";
}
