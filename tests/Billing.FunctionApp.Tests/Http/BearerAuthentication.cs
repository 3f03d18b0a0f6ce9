using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>A bearer token validated by the JWT scheme that <c>AddBillingAuthentication</c> registered in the app's services.</summary>
internal static class BearerAuthentication
{
    public static async Task<AuthenticateResult> AuthenticateAsync(IServiceProvider app, string token)
    {
        using var scope = app.CreateScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Headers.Authorization = "Bearer " + token;
        return await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
    }
}
