using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Billing.TestSupport;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Billing.EndToEnd.Tests.Support;

/// <summary>
/// A local OpenID Connect provider on a loopback port: a discovery document and a JWKS with the current RS256 keys,
/// which a test can rotate (key rollover). Tokens it issues are what a real identity provider would send.
/// </summary>
internal sealed class OidcProviderStub : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private volatile IReadOnlyList<RsaSecurityKey> _published;

    public OidcProviderStub()
    {
        (_listener, var root) = FreePort.StartHttpListener();
        Authority = root.ToString().TrimEnd('/');
        CurrentKey = NewKey();
        _published = [CurrentKey];
        _serving = Task.Run(ServeAsync);
    }

    public string Authority { get; }

    public string Issuer => Authority;

    public RsaSecurityKey CurrentKey { get; private set; }

    /// <summary>How many times the JWKS was fetched (a refresh after rollover shows here).</summary>
    public int KeySetFetches { get; private set; }

    /// <summary>Starts signing with a new key and publishes only that one: the old key is retired.</summary>
    public void RollOver()
    {
        CurrentKey = NewKey();
        _published = [CurrentKey];
    }

    public string Token(string audience, string accountId, RsaSecurityKey? key = null, params string[] roles)
    {
        var claims = new List<Claim> { new("sub", accountId) };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(key ?? CurrentKey, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await FreePort.StopHttpListenerAsync(_listener, _serving);
        _stop.Dispose();
    }

    private static RsaSecurityKey NewKey() => new(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N")[..12] };

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var context = await _listener.GetContextAsync();
            var path = context.Request.Url!.AbsolutePath;
            object? body = path switch
            {
                "/.well-known/openid-configuration" => new Dictionary<string, object>
                {
                    ["issuer"] = Issuer,
                    ["jwks_uri"] = Authority + "/keys",
                    ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                    ["response_types_supported"] = new[] { "code" },
                    ["subject_types_supported"] = new[] { "public" },
                },
                "/keys" => KeySet(),
                _ => null,
            };
            context.Response.StatusCode = body is null ? 404 : 200;
            if (body is not null)
            {
                var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body));
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
            }

            context.Response.Close();
        }
    }

    private object KeySet()
    {
        KeySetFetches++;
        return new
        {
            keys = _published.Select(key =>
            {
                var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
                return new Dictionary<string, string>
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["alg"] = "RS256",
                    ["kid"] = key.KeyId,
                    ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                    ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                };
            }).ToList(),
        };
    }
}
