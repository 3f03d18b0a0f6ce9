using Microsoft.Playwright;

namespace Billing.EndToEnd.Tests.Browser;

/// <summary>The pages load from their own origin, sign in with a development token and reach the API through CORS.</summary>
public sealed class PagesSmokeTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_billing_page_signs_in_and_shows_the_plans_from_the_api()
    {
        var page = await browser.OpenAsync("/billing/");
        await page.GetByLabel("Account id").FillAsync("smoke-" + Guid.NewGuid().ToString("N")[..8]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Plans" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "smoke-billing");
        browser.AssertPagesKeptToTheContract();
    }
}
