using System.Security.Claims;
using System.Text;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>
/// A token's lifetime (<c>nbf</c>, <c>exp</c>, with <c>Auth:ClockSkew</c>) is judged by the app's clock, the
/// <see cref="TimeProvider"/> it is given, like every other time in the app: not by the machine's clock behind it.
/// The app's clock here is a year ahead of the machine's.
/// </summary>
public sealed class TokenLifetimeTests : IDisposable
{
    private const string Issuer = "https://billing.local/dev";
    private const string Audience = "billing-api";
    private const string SigningKey = "local-development-only-signing-key-0123456789abcdef";

    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow.AddYears(1));
    private readonly ServiceProvider _app;

    public TokenLifetimeTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Issuer"] = Issuer,
            ["Auth:Audience"] = Audience,
            ["Auth:DevelopmentSigningKey"] = SigningKey,
            ["Auth:ClockSkew"] = Skew.ToString(),
        }).Build();
        _app = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(_time)
            .AddBillingAuthentication(configuration, new HostingEnvironment { EnvironmentName = "Development" })
            .BuildServiceProvider();
    }

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_token_valid_at_the_apps_time_is_accepted()
    {
        var now = _time.GetUtcNow();

        var result = await AuthenticateAsync(Token(notBefore: now.AddMinutes(-1), expires: now.AddMinutes(10)));

        Assert.True(result.Succeeded, result.Failure?.Message);
    }

    [Fact]
    public async Task A_token_expired_at_the_apps_time_is_refused_though_the_machines_clock_is_within_it()
    {
        var now = _time.GetUtcNow();

        var result = await AuthenticateAsync(Token(notBefore: DateTimeOffset.UtcNow.AddMinutes(-1), expires: now - Skew - TimeSpan.FromSeconds(1)));

        Assert.False(result.Succeeded, "a token expired by the app's clock was accepted");
        Assert.IsType<SecurityTokenExpiredException>(result.Failure);
    }

    [Fact]
    public async Task The_clock_skew_counts_from_the_apps_time_on_both_ends()
    {
        _time.Advance(TimeSpan.FromMinutes(10));
        var now = _time.GetUtcNow();

        var justExpired = await AuthenticateAsync(Token(notBefore: now.AddMinutes(-5), expires: now - Skew + TimeSpan.FromSeconds(5)));
        var notYetValid = await AuthenticateAsync(Token(notBefore: now + Skew + TimeSpan.FromSeconds(5), expires: now.AddMinutes(10)));

        Assert.True(justExpired.Succeeded, justExpired.Failure?.Message);
        Assert.IsType<SecurityTokenNotYetValidException>(notYetValid.Failure);
    }

    [Fact]
    public async Task A_token_is_accepted_up_to_the_instant_its_expiry_plus_the_skew_passes()
    {
        _time.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerSecond - (_time.GetUtcNow().Ticks % TimeSpan.TicksPerSecond))); // exp has whole seconds
        var now = _time.GetUtcNow();

        var atTheEdge = await AuthenticateAsync(Token(notBefore: now.AddMinutes(-5), expires: now - Skew));
        var pastIt = await AuthenticateAsync(Token(notBefore: now.AddMinutes(-5), expires: now - Skew - TimeSpan.FromSeconds(1)));

        Assert.True(atTheEdge.Succeeded, atTheEdge.Failure?.Message);
        Assert.IsType<SecurityTokenExpiredException>(pastIt.Failure);
    }

    private static string Token(DateTimeOffset notBefore, DateTimeOffset expires) => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Subject = new ClaimsIdentity([new Claim("sub", "user-1")]),
        NotBefore = notBefore.UtcDateTime,
        IssuedAt = notBefore.UtcDateTime,
        Expires = expires.UtcDateTime,
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey)), SecurityAlgorithms.HmacSha256),
    });

    private Task<AuthenticateResult> AuthenticateAsync(string token) => BearerAuthentication.AuthenticateAsync(_app, token);
}
