using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Billing.Application.Catalog;
using Billing.Application.StripeEvents;
using Billing.Cosmos.Configuration;
using Billing.FunctionApp.Api;
using Billing.FunctionApp.Http;
using Billing.FunctionApp.Tests.Startup;
using Billing.FunctionApp.Webhooks;
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

    /// <summary>A PRO subscription the account buys through Checkout, its completed session's event processed.</summary>
    public async Task SubscribeAsync(string account)
    {
        Assert.Equal(200, await CallAsync<CheckoutFunction>((f, r) => f.Run(r, default), account, json: """{"plan":"PRO","interval":"month"}"""));
        await CompleteCheckoutAsync(account);
        await DeliverAsync((await EventOfAsync(account, "checkout.session.completed")).Event);
    }

    /// <summary>The newest event of <paramref name="type"/> about the account's Stripe customer, and the subscription it names (if any).</summary>
    public async Task<(JsonElement Event, string? Subscription)> EventOfAsync(string account, string type)
    {
        var customer = await CustomerAsync(account);
        var events = (await StripeGetAsync("/v1/events?limit=100&type=" + type)).GetProperty("data").EnumerateArray();
        var found = events.First(e => e.GetProperty("data").GetProperty("object") is var o
                                      && (o.TryGetProperty("customer", out var c) ? c.GetString() : o.GetProperty("id").GetString()) == customer);
        var data = found.GetProperty("data").GetProperty("object");
        var subscription = data.TryGetProperty("subscription", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()
            : data.GetProperty("object").GetString() == "subscription" ? data.GetProperty("id").GetString() : null;
        return (found, subscription);
    }

    /// <summary>The event as Stripe sends it to the webhook, which keeps it; then the requests of its first delivery from the queue.</summary>
    public async Task<IReadOnlyList<string>> DeliverAsync(JsonElement stripeEvent)
    {
        var body = stripeEvent.GetRawText();
        var signature = StripeSigner.Header(Time.GetUtcNow(), body, Services.GetRequiredService<IOptions<StripeOptions>>().Value.WebhookSecrets[0]);
        Assert.Equal(200, await CallAsync<StripeWebhookFunction>((f, r) => f.Run(r, default), "stripe", json: body, headers: new Dictionary<string, string> { ["Stripe-Signature"] = signature }));
        return await ProcessAsync(stripeEvent, deliveryAttempt: 1);
    }

    /// <summary>The requests of the event's delivery <paramref name="deliveryAttempt"/> from the queue.</summary>
    public Task<IReadOnlyList<string>> ProcessAsync(JsonElement stripeEvent, long deliveryAttempt)
    {
        var message = new StripeEventQueueMessage { EventId = stripeEvent.GetProperty("id").GetString()!, Type = stripeEvent.GetProperty("type").GetString() }.ToJson();
        return RequestsOfAsync(() => RunAsync<ProcessStripeEventFunction>(f => f.Run(message, deliveryAttempt, default)));
    }

    /// <summary>Pays the account's open Checkout Session on Stripe's page (the emulator's control).</summary>
    public async Task CompleteCheckoutAsync(string account)
    {
        var sessions = (await StripeGetAsync("/v1/checkout/sessions?limit=100")).GetProperty("data").EnumerateArray();
        var open = sessions.First(s => s.GetProperty("client_reference_id").GetString() == account && s.GetProperty("status").GetString() == "open");
        await Stripe.ControlAsync($"/_emulator/checkout/sessions/{open.GetProperty("id").GetString()}/complete", new Dictionary<string, string> { ["payment_method"] = "succeeding" });
    }

    public async Task<string> CustomerAsync(string account)
    {
        var sessions = (await StripeGetAsync("/v1/checkout/sessions?limit=100")).GetProperty("data").EnumerateArray();
        return sessions.First(s => s.GetProperty("client_reference_id").GetString() == account).GetProperty("customer").GetString()!;
    }

    private Task<JsonElement> StripeGetAsync(string path) => StripeAsync(HttpMethod.Get, path);

    /// <summary>A request to the emulator's Stripe API, as the merchant's dashboard or Stripe itself would make it; its JSON answer.</summary>
    public async Task<JsonElement> StripeAsync(HttpMethod method, string path, IDictionary<string, string>? form = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Content = form is null ? null : new FormUrlEncodedContent(form);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StripeEmulatorProcess.SecretKey);
        using var response = await Stripe.Controls.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The requests <paramref name="call"/> sent.</summary>
    public async Task<IReadOnlyList<string>> RequestsOfAsync(Func<Task> call)
    {
        Requests.Take();
        await call();
        return Requests.Take();
    }
}
