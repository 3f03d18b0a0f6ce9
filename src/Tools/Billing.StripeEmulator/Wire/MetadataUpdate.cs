namespace Billing.StripeEmulator.Wire;

/// <summary>A metadata change as sent: keys to set (null = unset) or, with <see cref="ClearAll"/>, everything removed.</summary>
internal sealed record MetadataUpdate(bool ClearAll, IReadOnlyDictionary<string, string?> Values)
{
    public void ApplyTo(Dictionary<string, string> metadata)
    {
        if (ClearAll)
        {
            metadata.Clear();
        }

        foreach (var (key, value) in Values)
        {
            if (value is null)
            {
                metadata.Remove(key);
            }
            else
            {
                metadata[key] = value;
            }
        }
    }
}
