using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Billing.Cli.Tokens;

/// <summary>Mints HS256 tokens with the function app's development signing key, for local runs and tests.</summary>
public static class DevelopmentTokenFactory
{
    public sealed record Request
    {
        public required string Issuer { get; init; }

        public required string Audience { get; init; }

        public required string SigningKey { get; init; }

        public required string AccountId { get; init; }

        public string AccountClaim { get; init; } = "sub";

        public IReadOnlyList<string> Roles { get; init; } = [];

        public DateTimeOffset IssuedAt { get; init; } = DateTimeOffset.UtcNow;

        public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(1);
    }

    public static string Create(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var claims = new List<Claim> { new(request.AccountClaim, request.AccountId) };
        claims.AddRange(request.Roles.Select(r => new Claim("roles", r)));
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = request.Issuer,
            Audience = request.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = request.IssuedAt.UtcDateTime,
            NotBefore = request.IssuedAt.UtcDateTime,
            Expires = (request.IssuedAt + request.Lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(request.SigningKey)), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
