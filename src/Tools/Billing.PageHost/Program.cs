using System.Text.Json;
using System.Text.Json.Serialization;
using Billing.Cli.Tokens;
using Billing.Domain.Accounts;
using Billing.PageHost;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

// The page's host app, for local runs and the browser tests: serves src/Billing.Web as static files, tells the page where
// the API is (/page-config.json) and signs a developer in with a development token (/dev/token). In production the team's
// own app hosts the page and hands it a token from its OIDC provider; the page itself talks only to the billing API.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
builder.Services.AddOptions<PageHostOptions>().Bind(builder.Configuration.GetSection(PageHostOptions.Section))
    .ValidateDataAnnotations()
    .Validate(o => Directory.Exists(o.WebRoot), "PageHost:WebRoot must be an existing folder (src/Billing.Web).")
    .ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PageHostJson.Default));

var app = builder.Build();
PageHostOptions options;
DevelopmentAuthSettings auth;
try
{
    options = app.Services.GetRequiredService<IOptions<PageHostOptions>>().Value;
    if (!DevelopmentAuthSettings.TryLoad(options.AuthSettingsPath, Path.GetFullPath(options.WebRoot), out var loaded, out var error))
    {
        throw new OptionsValidationException(PageHostOptions.Section, typeof(PageHostOptions), [error]);
    }

    auth = loaded;
}
catch (OptionsValidationException invalid)
{
    await Console.Error.WriteLineAsync("The page host's configuration is invalid:");
    foreach (var failure in invalid.Failures)
    {
        await Console.Error.WriteLineAsync($"  - {failure}");
    }

    return 2;
}

var files = new PhysicalFileProvider(Path.GetFullPath(options.WebRoot));
app.Use(async (context, next) =>
{
    // The pages load nothing from elsewhere; the API is the only other origin they talk to.
    context.Response.Headers.ContentSecurityPolicy = $"default-src 'self'; connect-src 'self' {new Uri(options.ApiBaseUrl).GetLeftPart(UriPartial.Authority)}; img-src 'self' data:; frame-ancestors 'none'";
    context.Response.Headers.XContentTypeOptions = "nosniff";
    context.Response.Headers.CacheControl = "no-store";
    await next(context);
});
app.Use(async (context, next) =>
{
    // "/" goes to the billing page; "/billing" and "/operator" get their trailing slash (relative links, default file).
    var path = context.Request.Path.Value;
    if (path is "/" or "/billing" or "/operator")
    {
        context.Response.Redirect((path == "/" ? "/billing" : path) + "/" + context.Request.QueryString);
        return;
    }

    await next(context);
});

// Checkout and the portal come back to /billing/success?session_id=... and /billing: both are the billing page.
app.MapGet("/billing/success", () => Results.File(files.GetFileInfo("billing/index.html").PhysicalPath!, "text/html; charset=utf-8"));
app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
app.UseStaticFiles(new StaticFileOptions { FileProvider = files });

app.MapGet("/page-config.json", () => new PageConfig(options.ApiBaseUrl.TrimEnd('/'), "development"));
app.MapPost("/dev/token", (DevTokenRequest request, TimeProvider clock) =>
{
    if (!AccountId.TryParse(request.AccountId, out _, out var invalid))
    {
        return Results.Problem(statusCode: 400, title: "Not an account id", detail: invalid);
    }

    var issuedAt = clock.GetUtcNow();
    var token = DevelopmentTokenFactory.Create(auth.TokenRequest(request.AccountId, request.Operator) with
    {
        IssuedAt = issuedAt,
        Lifetime = options.TokenLifetime,
    });
    return Results.Ok(new DevToken(token, issuedAt + options.TokenLifetime));
});
await app.RunAsync();
return 0;

internal sealed record PageConfig(string ApiBaseUrl, string SignIn);

internal sealed record DevTokenRequest(string? AccountId, bool Operator);

internal sealed record DevToken(string Token, DateTimeOffset ExpiresAt);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PageConfig))]
[JsonSerializable(typeof(DevTokenRequest))]
[JsonSerializable(typeof(DevToken))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
internal sealed partial class PageHostJson : JsonSerializerContext;
