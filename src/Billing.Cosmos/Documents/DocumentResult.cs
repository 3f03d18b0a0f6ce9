using System.Net;

namespace Billing.Cosmos.Documents;

/// <summary>The status of a write and the document as stored (when the write succeeded).</summary>
internal readonly record struct DocumentResult<T>(HttpStatusCode Status, T? Document)
    where T : class;
