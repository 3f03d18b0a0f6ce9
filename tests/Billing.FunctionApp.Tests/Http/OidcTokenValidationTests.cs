using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
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
/// What tokens the app accepts with an OIDC authority (its discovery document served from memory):
/// <list type="bullet">
/// <item>a token's <c>iss</c> must be <c>Auth:Issuer</c> exactly, as with the development key: JwtBearer adds the issuer
/// of the authority's discovery document to the valid issuers, which must not widen the setting;</item>
/// <item>a token signed with one of the authority's published keys is accepted whatever asymmetric algorithm the
/// provider signs with (RSA PKCS#1, RSA-PSS or ECDSA, 256 to 512 bits: providers such as Keycloak let the realm
/// choose), and never a symmetric (HS) or unsigned one, whatever key it names.</item>
/// </list>
/// </summary>
public sealed class OidcTokenValidationTests : IDisposable
{
    private const string Authority = "https://login.example.com/tenant-a/v2.0";
    private const string DiscoveryIssuer = Authority;
    private const string ConfiguredIssuer = "https://sts.example.com/tenant-a/";
    private const string Audience = "billing-api";

    private readonly RsaSecurityKey _rsa = new(RSA.Create(2048)) { KeyId = "rsa-1" };
    private readonly ECDsaSecurityKey _p256 = new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "ec-256" };
    private readonly ECDsaSecurityKey _p384 = new(ECDsa.Create(ECCurve.NamedCurves.nistP384)) { KeyId = "ec-384" };
    private readonly ECDsaSecurityKey _p521 = new(ECDsa.Create(ECCurve.NamedCurves.nistP521)) { KeyId = "ec-521" };
    private readonly ServiceProvider _app;

    public OidcTokenValidationTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Authority"] = Authority,
            ["Auth:Issuer"] = ConfiguredIssuer,
            ["Auth:Audience"] = Audience,
        }).Build();
        var discovery = new OpenIdConnectConfiguration { Issuer = DiscoveryIssuer };
        foreach (var key in new SecurityKey[] { _rsa, _p256, _p384, _p521 })
        {
            discovery.SigningKeys.Add(key);
        }

        _app = new ServiceCollection()
            .AddLogging()
            .AddBillingAuthentication(configuration, new HostingEnvironment { EnvironmentName = "Production" })
            .PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(discovery))
            .BuildServiceProvider();
    }

    public static TheoryData<string> AsymmetricAlgorithms =>
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public void Dispose()
    {
        _app.Dispose();
        _rsa.Rsa.Dispose();
        _p256.ECDsa.Dispose();
        _p384.ECDsa.Dispose();
        _p521.ECDsa.Dispose();
    }

    [Fact]
    public async Task A_token_of_the_configured_issuer_is_accepted()
    {
        var result = await AuthenticateAsync(Token(ConfiguredIssuer, new SigningCredentials(_rsa, SecurityAlgorithms.RsaSha256)));

        Assert.True(result.Succeeded, result.Failure?.Message);
    }

    [Fact]
    public async Task A_token_of_the_discovery_documents_issuer_is_refused_when_the_setting_names_another()
    {
        var result = await AuthenticateAsync(Token(DiscoveryIssuer, new SigningCredentials(_rsa, SecurityAlgorithms.RsaSha256)));

        Assert.False(result.Succeeded, "a token whose iss is not Auth:Issuer was accepted");
        Assert.IsType<SecurityTokenInvalidIssuerException>(result.Failure);
    }

    [Fact]
    public async Task A_token_whose_issuer_differs_from_the_setting_only_in_case_is_refused()
    {
        var result = await AuthenticateAsync(Token(ConfiguredIssuer.ToUpperInvariant(), new SigningCredentials(_rsa, SecurityAlgorithms.RsaSha256)));

        Assert.False(result.Succeeded, "a token whose iss is Auth:Issuer in other letter case was accepted");
        Assert.IsType<SecurityTokenInvalidIssuerException>(result.Failure);
    }

    [Theory]
    [MemberData(nameof(AsymmetricAlgorithms))]
    public async Task A_token_signed_with_a_published_key_is_accepted_whatever_asymmetric_algorithm_signs_it(string algorithm)
    {
        SecurityKey key = algorithm switch
        {
            SecurityAlgorithms.EcdsaSha256 => _p256,
            SecurityAlgorithms.EcdsaSha384 => _p384,
            SecurityAlgorithms.EcdsaSha512 => _p521,
            _ => _rsa,
        };

        var result = await AuthenticateAsync(Token(ConfiguredIssuer, new SigningCredentials(key, algorithm)));

        Assert.True(result.Succeeded, $"{algorithm}: {result.Failure?.GetType().Name} {result.Failure?.Message}");
    }

    [Fact]
    public async Task A_symmetric_or_unsigned_token_is_refused()
    {
        // HS256 keyed with the provider's public key material (the classic RS/HS confusion), and an unsigned token.
        var publicKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Convert.ToBase64String(_rsa.Rsa.ExportSubjectPublicKeyInfo()))) { KeyId = _rsa.KeyId };
        var confused = await AuthenticateAsync(Token(ConfiguredIssuer, new SigningCredentials(publicKey, SecurityAlgorithms.HmacSha256)));
        var unsigned = await AuthenticateAsync(Token(ConfiguredIssuer, signing: null));

        Assert.False(confused.Succeeded, "an HS256 token was accepted");
        Assert.False(unsigned.Succeeded, "an unsigned token was accepted");
    }

    private static string Token(string issuer, SigningCredentials? signing) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = issuer,
        Audience = Audience,
        Subject = new ClaimsIdentity([new Claim("sub", "user-1")]),
        Expires = DateTime.UtcNow.AddMinutes(10),
        SigningCredentials = signing,
    });

    private Task<AuthenticateResult> AuthenticateAsync(string token) => BearerAuthentication.AuthenticateAsync(_app, token);
}
