using System.Security.Claims;
using System.Text;
using Billing.Application.Catalog;
using Billing.Cosmos.Configuration;
using Billing.FunctionApp.Http;
using Billing.FunctionApp.Tests.Startup;
using Billing.Infrastructure.Cosmos;
using Billing.Infrastructure.Queues;
using Billing.Infrastructure.StripeApi;
using Billing.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Billing.FunctionApp.Tests.Budgets;

/// <summary>
/// The worker's services as it composes them (<see cref="FunctionAppServices.AddBillingFunctionApp"/>, Development
/// settings) against the local Cosmos server (a database of its own), Azurite and a Stripe emulator of its own, with
/// the app's Cosmos, Stripe and queue clients counted by one <see cref="RequestLog"/>, and a clock that stands still (so the
/// catalog's Stripe prices, read once at the start as a warm instance has them, stay cached). <see cref="CallAsync{TFunction}"/> runs
/// a function class as the worker activates it, for a caller the worker's authentication already let through.
/// </summary>
public sealed class BudgetApp : IAsyncLifetime
{
    private ServiceProvider? _services;

    private StripeEmulatorProcess? _stripe;

    public RequestLog Requests { get; } = new();

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>The fixture's Stripe emulator, for its test controls (what a customer does on Stripe's pages).</summary>
    public StripeEmulatorProcess Stripe => _stripe ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        var emulators = await LocalEmulators.GetAsync();
        _stripe = await StripeEmulatorProcess.StartAsync();
        var settings = FunctionAppSettings.ForEmulators(emulators);
        settings["Stripe__ApiBase"] = _stripe.ApiBase.ToString().TrimEnd('/');
        settings["Stripe__SecretKey"] = StripeEmulatorProcess.SecretKey;

        var builder = WorkerStartup.Builder(AppContext.BaseDirectory, Environments.Development, settings);
        builder.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
        builder.Services.Replace(ServiceDescriptor.Singleton(sp => Requests.CosmosClient(sp.GetRequiredService<IOptions<CosmosOptions>>().Value)));
        builder.Services.AddHttpClient(StripeClientFactory.HttpClientName).AddHttpMessageHandler(Requests.StripeHandler);
        builder.Services.Replace(ServiceDescriptor.Singleton(sp => Requests.QueueServiceClient(sp.GetRequiredService<IOptions<QueueStorageOptions>>().Value.ConnectionString!, sp.GetRequiredService<IOptions<QueueNameOptions>>().Value)));
        _services = builder.Services.BuildServiceProvider();
        await _services.ProvisionStorageIfEnabledAsync(CancellationToken.None);
        await WarmAsync();
    }

    /// <summary>
    /// Reads the catalog's Stripe prices as a warm instance has them (again after <see cref="Time"/> moved past their
    /// cache) and starts the log again.
    /// </summary>
    public async Task WarmAsync()
    {
        await Services.GetRequiredService<PlanPricing>().ListAsync(CancellationToken.None);
        Requests.Take();
    }

    /// <summary>Runs a queue- or timer-triggered function as the worker activates it.</summary>
    public async Task RunAsync<TFunction>(Func<TFunction, Task> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var scope = Services.CreateAsyncScope();
        await run(ActivatorUtilities.CreateInstance<TFunction>(scope.ServiceProvider));
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.GetRequiredService<CosmosClient>().GetDatabase(_services.GetRequiredService<IOptions<CosmosOptions>>().Value.DatabaseName).DeleteStreamAsync();
            await _services.DisposeAsync();
        }

        if (_stripe is not null)
        {
            await _stripe.DisposeAsync();
        }
    }

    /// <summary>
    /// Runs the function for <paramref name="account"/> (an admin when <paramref name="admin"/>) with an optional JSON
    /// body and query string; the HTTP status of its answer.
    /// </summary>
    public async Task<int> CallAsync<TFunction>(Func<TFunction, HttpRequest, Task<IResult>> run, string account, string? json = null, string? query = null, bool admin = false, IDictionary<string, string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var scope = Services.CreateAsyncScope();
        var auth = scope.ServiceProvider.GetRequiredService<IOptions<AuthOptions>>().Value;
        List<Claim> claims = [new(auth.AccountClaim, account)];
        if (admin)
        {
            claims.Add(new Claim(auth.RoleClaim, auth.AdminRole));
        }

        var context = new DefaultHttpContext
        {
            RequestServices = scope.ServiceProvider,
            User = new ClaimsPrincipal(new ClaimsIdentity(claims, "Bearer")),
        };
        context.Request.Method = json is null ? "GET" : "POST";
        context.Request.QueryString = query is null ? QueryString.Empty : new QueryString("?" + query);
        if (json is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            context.Request.ContentType = "application/json";
            context.Request.ContentLength = bytes.Length;
            context.Request.Body = new MemoryStream(bytes);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            context.Request.Headers[name] = value;
        }

        context.Response.Body = new MemoryStream();
        var function = ActivatorUtilities.CreateInstance<TFunction>(scope.ServiceProvider);
        var result = await run(function, context.Request);
        await result.ExecuteAsync(context);
        return context.Response.StatusCode;
    }
}
