using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;
using Microsoft.Playwright;

namespace Billing.EndToEnd.Tests.Browser;

/// <summary>
/// The whole local stack as a person's browser sees it: the function app on Azurite and the Cosmos server with a Stripe
/// emulator sending it webhooks (<see cref="WebhookStack"/>), the reference pages' host on its own origin (allowed by the
/// app's CORS; Checkout and the portal return to it), and Debian's Chromium driven by Playwright. Every call a page makes
/// to the API is recorded and checked against the OpenAPI document; screenshots go to artifacts/screenshots/.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Where Debian's package puts Chromium's headless shell (scripts/test.sh installs it); BILLING_CHROMIUM overrides (a full Chromium works too).</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("BILLING_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium-headless-shell";

    public static string ScreenshotDirectory => Path.Combine(RepoPaths.RepoRoot, "artifacts", "screenshots");

    private readonly ConcurrentQueue<ApiCall> _apiCalls = new();
    private readonly ConcurrentQueue<string> _pageErrors = new();
    private readonly ConcurrentQueue<IBrowserContext> _contexts = new();
    private IPlaywright? _playwright;

    internal WebhookStack Stack { get; private set; } = null!;

    public PageHostProcess Pages { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Every call the pages made to the API so far (method, path and query, status).</summary>
    public IReadOnlyCollection<ApiCall> ApiCalls => _apiCalls;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is not installed at {ChromiumPath}. scripts/test.sh installs Debian's package (apt-get install chromium-headless-shell); or set BILLING_CHROMIUM.");
        }

        // The app must allow the pages' origin before the pages' host can be told the app's address, so a pages' port
        // taken in between costs a new stack on another port.
        (Stack, Pages) = await FreePort.StartOnFreePortAsync(async pagePort =>
        {
            var pages = PageHostProcess.AddressFor(pagePort).ToString().TrimEnd('/');
            var stack = await WebhookStack.StartAsync(
                configure: settings =>
                {
                    // Checkout and the portal come back to the pages. The invoicing timer never fires: the few tests
                    // that watch an invoice appear queue their closed period's job as an operator does
                    // (InvoicingTests.RunInvoicingAsync); a timer every 2 s cost the classes ~15% of their CPU.
                    settings["Billing__Checkout__SuccessUrl"] = pages + "/billing/success?session_id={CHECKOUT_SESSION_ID}";
                    settings["Billing__Checkout__CancelUrl"] = pages + "/billing/";
                    settings["Billing__Portal__ReturnUrl"] = pages + "/billing/";
                    settings["MONTHLY_INVOICING_SCHEDULE"] = "0 0 0 1 1 *";
                },
                corsOrigins: pages);
            try
            {
                return (stack, await PageHostProcess.StartAsync(stack.App.BaseAddress, pagePort));
            }
            catch
            {
                await stack.DisposeAsync(); // a pages' host that did not start leaves no stack behind
                throw;
            }
        });
        _playwright = await Playwright.CreateAsync();

        // The pages wait on the whole local stack; on 2 loaded cores its first answers can take well over Playwright's
        // default 5 s. Assertions still fail, only later.
        Assertions.SetDefaultExpectTimeout(20_000);
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // As root in a container, without a GPU, and with no calls to Google's services (the network is closed).
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>
    /// A fresh browser context (no stored sign-in) on <paramref name="path"/> of the pages' origin; phone: a 390 x 844 touch
    /// viewport; timeZone: the reader's IANA time zone (UTC unless a test is about another).
    /// </summary>
    public async Task<IPage> OpenAsync(string path, bool phone = false, string timeZone = "UTC")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Pages.BaseAddress.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
            IsMobile = phone,
            HasTouch = phone,
            Locale = "en-US",
            TimezoneId = timeZone,
        });
        _contexts.Enqueue(context);
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(30_000);
        var page = await context.NewPageAsync();
        var api = Stack.App.BaseAddress.GetLeftPart(UriPartial.Authority);
        page.Response += (_, response) =>
        {
            if (response.Url.StartsWith(api, StringComparison.Ordinal) && response.Request.Method != "OPTIONS")
            {
                _apiCalls.Enqueue(new ApiCall(response.Request.Method, new Uri(response.Url).PathAndQuery, response.Status));
            }
        };
        page.PageError += (_, error) => _pageErrors.Enqueue(error);
        await page.GotoAsync(path);
        return page;
    }

    /// <summary>
    /// Closes every context <see cref="OpenAsync"/> opened so far: a test's pages, left open, would go on running in the shared
    /// browser through the tests after it (the billing page refreshes its usage from the API every 30 s).
    /// </summary>
    public async Task CloseContextsAsync()
    {
        while (_contexts.TryDequeue(out var context))
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Writes a full-page screenshot to artifacts/screenshots/<paramref name="name"/>.png and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    /// <summary>Presses Tab (at most 80 times) until <paramref name="target"/> has the focus, as a keyboard user gets to it.</summary>
    public static async Task TabUntilFocusedAsync(IPage page, ILocator target)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(target);
        for (var i = 0; i < 80; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await target.EvaluateAsync<bool>("element => element === document.activeElement"))
            {
                return;
            }
        }

        Assert.Fail("The keyboard never reached " + target);
    }

    /// <summary>Fails when a page made an API call the OpenAPI document does not describe (or answered a status it does not list), or threw.</summary>
    public void AssertPagesKeptToTheContract()
    {
        var undocumented = _apiCalls
            .SelectMany(call => OpenApiContract.Check(call.Method, call.PathAndQuery, (HttpStatusCode)call.Status, null, string.Empty))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.True(undocumented.Count == 0, "Calls the pages made that the OpenAPI document does not describe:\n" + string.Join('\n', undocumented));
        Assert.True(_pageErrors.IsEmpty, "Uncaught errors in the pages:\n" + string.Join('\n', _pageErrors));
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Pages is not null)
        {
            await Pages.DisposeAsync();
        }

        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }
    }

    public sealed record ApiCall(string Method, string PathAndQuery, int Status)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Method} {PathAndQuery} -> {Status}");
    }

    /// <summary>
    /// Restarts the function app with changed settings (same queue and database; a Stripe outage, say) and keeps the pages
    /// working with it: the app keeps the pages' CORS origin, the emulator sends its webhooks to the new app as well (the
    /// old address only fails its deliveries), and the page host restarts on its own origin pointing at the new app.
    /// </summary>
    public async Task RestartAppAsync(Action<Dictionary<string, string?>> change)
    {
        await Stack.RestartAppAsync(change);
        await Stack.Emulator!.AddWebhookEndpointAsync(new Uri(Stack.App.BaseAddress, SignedWebhook.Path), WebhookStack.WebhookSecret);
        await Pages.DisposeAsync();
        Pages = await PageHostProcess.StartAsync(Stack.App.BaseAddress, Pages.BaseAddress.Port);
    }
}
