using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Cosmos.Documents;

/// <summary>What every stored document carries: its id, its kind and the version of its shape.</summary>
internal abstract record StoredDocument : DocumentPart
{
    public required string Id { get; init; }

    /// <summary>The document kind (<see cref="DocumentTypes"/>): several kinds share the accounts container.</summary>
    public required string Type { get; init; }

    /// <summary>The version of this kind's shape; a reader refuses to rewrite a document from a newer version.</summary>
    public required int SchemaVersion { get; init; }

    /// <summary>Cosmos DB's concurrency token, read from the body; never written (null on write).</summary>
    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }

    /// <summary>
    /// The schema guard of every rewrite (read first, then replace): a document from a newer schema version than the
    /// code's (<paramref name="codeSchemaVersion"/>) is not rewritten by an older version; the write fails and is retried
    /// later, by then on the new version. What a rewrite keeps is <see cref="PreservedFields"/>.
    /// </summary>
    public void EnsureRewritableBy(int codeSchemaVersion)
    {
        if (SchemaVersion > codeSchemaVersion)
        {
            throw new InvalidOperationException(
                $"Document '{Id}' ({Type}) has schema version {SchemaVersion}, newer than this code's {codeSchemaVersion}; it is not rewritten by an older version.");
        }
    }

    /// <summary>Unknown fields without Cosmos DB's system properties (<c>_rid</c>, <c>_ts</c>, ...), which the server sets itself.</summary>
    public Dictionary<string, JsonElement>? PreservedFields() =>
        ExtensionData?.Where(p => !p.Key.StartsWith('_')).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal) is { Count: > 0 } kept
            ? kept
            : null;
}
