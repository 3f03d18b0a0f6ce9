using System.Globalization;
using Billing.Application.Outcomes;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Application.Usage;

/// <summary>One usage record as the product's backend sends it (<c>POST /api/usage</c>, one item of a batch).</summary>
public sealed record UsageRecordRequest(string? AccountId, string? Meter, long? Quantity, string? IdempotencyKey, DateTimeOffset? OccurredAt);

/// <summary>
/// "Would this be allowed now?" (<c>POST /api/usage/check</c>); with <paramref name="OccurredAt"/>: "would a record
/// stamped then be allowed?", judged as <c>POST /api/usage</c> judges it.
/// </summary>
public sealed record UsageCheckRequest(string? AccountId, string? Meter, long? Quantity, DateTimeOffset? OccurredAt = null);

/// <summary>
/// The field rules every usage and allocation request shares; each check adds its message under the request's JSON
/// field name and returns the parsed value when the field is good.
/// </summary>
internal static class UsageFields
{
    public const int MaxKeyLength = 255;

    public static AccountId? Account(string? value, ValidationErrors errors, string field = "accountId")
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(field, "Required.");
            return null;
        }

        if (!AccountId.TryParse(value, out var account, out var error))
        {
            errors.Add(field, error!);
            return null;
        }

        return account;
    }

    public static MeterName? Meter(string? value, PlanCatalog catalog, MeterKind kind, ValidationErrors errors, string field = "meter")
    {
        var declared = kind == MeterKind.Consumption ? catalog.Meters : catalog.AllocationMeters;
        var what = kind == MeterKind.Consumption ? "usage" : "allocation";
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(field, "Required.");
            return null;
        }

        if (!MeterName.TryParse(value, out var meter) || catalog.KindOf(meter) != kind)
        {
            errors.Add(field, $"Unknown {what} meter {ValidationErrors.Quote(value)}. Known: {string.Join(", ", declared)}.");
            return null;
        }

        return meter;
    }

    public static long? Quantity(long? value, ValidationErrors errors)
    {
        if (value is null)
        {
            errors.Add("quantity", "Required: a whole number of units, at least 1.");
            return null;
        }

        if (value is < 1 or > UsageOptions.MaxQuantity)
        {
            errors.Add("quantity", string.Create(CultureInfo.InvariantCulture, $"Must be a whole number from 1 to {UsageOptions.MaxQuantity}."));
            return null;
        }

        return value;
    }

    /// <summary>
    /// 1..255 printable ASCII characters (a UUID, a job id, "order-42:line-3"); <paramref name="whatItIs"/> says what the
    /// field names when it is missing (the usage key's words by default).
    /// </summary>
    public static string? Key(string? value, ValidationErrors errors, string field = "idempotencyKey", string whatItIs = "a key unique to this usage")
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(field, $"Required: {whatItIs}, the same on every retry.");
            return null;
        }

        if (value.Length > MaxKeyLength || value.Any(c => c is < '!' or > '~'))
        {
            errors.Add(field, $"Must be 1 to {MaxKeyLength} printable ASCII characters without spaces.");
            return null;
        }

        return value;
    }
}
