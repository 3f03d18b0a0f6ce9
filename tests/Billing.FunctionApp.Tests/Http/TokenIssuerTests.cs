using System.Security.Claims;
using System.Security.Cryptography;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>
/// With an OIDC authority, a token's <c>iss</c> must be <c>Auth:Issuer</c> exactly, as with the development key:
/// JwtBearer adds the issuer of the authority's discovery document to the valid issuers, which must not widen the setting.
/// </summary>
public sealed class TokenIssuerTests : IDisposable
{
    private const string Authority = "https://login.example.com/tenant-a/v2.0";
    private const string DiscoveryIssuer = "https://login.example.com/tenant-a/v2.0";
    private const string ConfiguredIssuer = "https://sts.example.com/tenant-a/";
    private const string Audience = "billing-api";

    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "key-1" };
    private readonly ServiceProvider _app;

    public TokenIssuerTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Authority"] = Authority,
            ["Auth:Issuer"] = ConfiguredIssuer,
            ["Auth:Audience"] = Audience,
        }).Build();
        var discovery = new OpenIdConnectConfiguration { Issuer = DiscoveryIssuer };
        discovery.SigningKeys.Add(_key);
        _app = new ServiceCollection()
            .AddLogging()
            .AddBillingAuthentication(configuration, new HostingEnvironment { EnvironmentName = "Production" })
            .PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(discovery))
            .BuildServiceProvider();
    }

    public void Dispose()
    {
        _app.Dispose();
        _key.Rsa.Dispose();
    }

    [Fact]
    public async Task A_token_of_the_configured_issuer_is_accepted()
    {
        var result = await AuthenticateAsync(ConfiguredIssuer);

        Assert.True(result.Succeeded, result.Failure?.Message);
    }

    [Fact]
    public async Task A_token_of_the_discovery_documents_issuer_is_refused_when_the_setting_names_another()
    {
        var result = await AuthenticateAsync(DiscoveryIssuer);

        Assert.False(result.Succeeded, "a token whose iss is not Auth:Issuer was accepted");
        Assert.IsType<SecurityTokenInvalidIssuerException>(result.Failure);
    }

    private async Task<AuthenticateResult> AuthenticateAsync(string issuer)
    {
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", "user-1")]),
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
        using var scope = _app.CreateScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Headers.Authorization = "Bearer " + token;
        return await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
    }
}
