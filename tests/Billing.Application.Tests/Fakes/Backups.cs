namespace Billing.Application.Tests.Fakes;

/// <summary>What the in-memory stores' <c>BackUp</c> share: a restore puts back exactly what was copied.</summary>
internal static class Backups
{
    public static void ReplaceWith<TKey, TValue>(this Dictionary<TKey, TValue> target, IEnumerable<KeyValuePair<TKey, TValue>> copy)
        where TKey : notnull
    {
        target.Clear();
        foreach (var (key, value) in copy)
        {
            target.Add(key, value);
        }
    }
}
