using System.Security.Claims;
using System.Text;
using Billing.FunctionApp.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Billing.Cli.Tokens;

/// <summary>
/// Mints HS256 tokens with the function app's development signing key, for local runs and tests: a user's (an account
/// claim, perhaps roles) or a service's (a <c>scope</c> claim and an <c>azp</c>, no account claim unless one is asked for).
/// </summary>
public static class DevelopmentTokenFactory
{
    public sealed record Request
    {
        public required string Issuer { get; init; }

        public required string Audience { get; init; }

        public required string SigningKey { get; init; }

        /// <summary>The account claim's value; null: no account claim (a service token).</summary>
        public string? AccountId { get; init; }

        public string AccountClaim { get; init; } = AuthDefaults.AccountClaim;

        /// <summary>The claim each of <see cref="Roles"/> is written to.</summary>
        public string RoleClaim { get; init; } = AuthDefaults.RoleClaim;

        public IReadOnlyList<string> Roles { get; init; } = [];

        /// <summary>Scopes, written space-separated into one <c>scope</c> claim; none: no such claim.</summary>
        public IReadOnlyList<string> Scopes { get; init; } = [];

        /// <summary>The <c>azp</c> (authorized party, the client) claim; null: none.</summary>
        public string? AuthorizedParty { get; init; }

        /// <summary>Any other claims, as (type, value) pairs (e.g. an identity provider's <c>idtyp</c> or <c>tid</c>).</summary>
        public IReadOnlyList<(string Type, string Value)> OtherClaims { get; init; } = [];

        public DateTimeOffset IssuedAt { get; init; } = DateTimeOffset.UtcNow;

        /// <summary>How long after <see cref="IssuedAt"/> the token expires; null: no <c>exp</c> claim (a token the app must refuse, for tests).</summary>
        public TimeSpan? Lifetime { get; init; } = TimeSpan.FromHours(1);
    }

    public static string Create(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var claims = new List<Claim>();
        if (request.AccountId is not null)
        {
            claims.Add(new Claim(request.AccountClaim, request.AccountId));
        }

        claims.AddRange(request.Roles.Select(r => new Claim(request.RoleClaim, r)));
        if (request.Scopes.Count > 0)
        {
            claims.Add(new Claim("scope", string.Join(' ', request.Scopes)));
        }

        if (request.AuthorizedParty is not null)
        {
            claims.Add(new Claim("azp", request.AuthorizedParty));
        }

        claims.AddRange(request.OtherClaims.Select(c => new Claim(c.Type, c.Value)));

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = request.Issuer,
            Audience = request.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = request.IssuedAt.UtcDateTime,
            NotBefore = request.IssuedAt.UtcDateTime,
            Expires = request.Lifetime is { } lifetime ? (request.IssuedAt + lifetime).UtcDateTime : null,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(request.SigningKey)), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
