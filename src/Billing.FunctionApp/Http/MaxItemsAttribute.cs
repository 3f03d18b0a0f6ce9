namespace Billing.FunctionApp.Http;

/// <summary>
/// Caps the number of items of an array member of a <see cref="StrictJsonBody"/> contract: a longer array is a 400
/// naming the field ("At most N items.").
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
internal sealed class MaxItemsAttribute : Attribute
{
    public MaxItemsAttribute(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count = count;
    }

    /// <summary>The most items the array may hold.</summary>
    public int Count { get; }
}
