using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.OpenApi;

/// <summary>
/// <c>GET /api/openapi/v1.json</c> (anonymous): the OpenAPI 3.1 document of every HTTP function, kept by hand in
/// <c>OpenApi/openapi.json</c> (the worker has no endpoint metadata to generate it from). Tests check that it lists
/// exactly the functions' routes and methods and validate every response body they receive against it.
/// </summary>
public static class OpenApiFunction
{
    private static readonly Lazy<byte[]> Document = new(() =>
    {
        using var stream = typeof(OpenApiFunction).Assembly.GetManifestResourceStream("Billing.FunctionApp.openapi.json")
                           ?? throw new InvalidOperationException("The OpenAPI document is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    [AllowAnonymous]
    [Function("OpenApiDocument")]
    public static IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/v1.json")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.HttpContext.Response.Headers.CacheControl = "public, max-age=300";
        return Results.Bytes(Document.Value, "application/json");
    }
}
