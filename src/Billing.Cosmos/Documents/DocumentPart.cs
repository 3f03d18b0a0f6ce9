using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Cosmos.Documents;

/// <summary>
/// A stored document or a part nested in one: members this version does not know (written by a newer version during a
/// rolling deployment) are kept and written back unchanged, at every level.
/// </summary>
internal abstract record DocumentPart
{
    /// <summary>Fields this version does not know (written by a newer version): kept and written back unchanged.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }

    /// <summary>
    /// The unknown members of the stored counterpart of a nested part (the one <paramref name="same"/> picks: the same
    /// subscription, grant, session...), to write back with the part; none when the part is new or replaces another.
    /// </summary>
    public static Dictionary<string, JsonElement>? KeptFrom<T>(IEnumerable<T>? stored, Func<T, bool> same)
        where T : DocumentPart =>
        stored?.FirstOrDefault(same)?.ExtensionData;

    /// <inheritdoc cref="KeptFrom{T}(IEnumerable{T}, Func{T, bool})"/>
    public static Dictionary<string, JsonElement>? KeptFrom<T>(T? stored, Func<T, bool> same)
        where T : DocumentPart =>
        stored is not null && same(stored) ? stored.ExtensionData : null;
}
