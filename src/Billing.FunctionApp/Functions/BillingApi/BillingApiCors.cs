using Billing.Application.Redirects;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Functions.BillingApi;

/// <summary>
/// Which browser origins may call the billing API (section <c>Cors</c>, <c>AllowedOrigins</c>): GET and POST with the
/// Authorization and Content-Type headers, no cookies (the API uses bearer tokens). Others get no CORS headers, so
/// browsers block them. Applied to the billing endpoints only, never to the webhook or host endpoints.
/// </summary>
public sealed class BillingApiCors
{
    public const string SectionName = "Cors";
    public const string PolicyName = "BillingApi";
    public static readonly TimeSpan PreflightMaxAge = TimeSpan.FromMinutes(10);

    /// <summary>e.g. <c>https://app.example.com</c> (scheme, host, port; no path).</summary>
    public IList<string> AllowedOrigins { get; } = [];

    internal static IServiceCollection AddBillingApiCors(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BillingApiCors>().Bind(configuration.GetSection(SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BillingApiCors>, Validator>();
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<BillingApiCors>>((cors, api) => cors.AddPolicy(PolicyName, policy => policy
                .WithOrigins([.. api.Value.AllowedOrigins.Select(o => o.TrimEnd('/'))])
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .WithHeaders("Authorization", "Content-Type")
                .WithExposedHeaders("WWW-Authenticate", "Retry-After")
                .SetPreflightMaxAge(PreflightMaxAge)));
        return services;
    }

    private sealed class Validator : IValidateOptions<BillingApiCors>
    {
        public ValidateOptionsResult Validate(string? name, BillingApiCors options)
        {
            var errors = options.AllowedOrigins
                .Select((origin, i) => RedirectUrls.TryParseOrigin(origin, out _)
                    ? null
                    : $"{SectionName}:AllowedOrigins:{i} '{origin}' is not an origin: use scheme://host[:port] with http or https and no path (no '*').")
                .OfType<string>()
                .ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
