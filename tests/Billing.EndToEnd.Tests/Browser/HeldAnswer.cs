using Microsoft.Playwright;

namespace Billing.EndToEnd.Tests.Browser;

/// <summary>
/// An API answer held on its way to a page until the test lets it go, so that a test chooses the order answers arrive in
/// (what a slow network does to a page). By default the request itself waits, before the server sees it; with
/// <c>readNow</c> the server answers at once and only the delivery to the page waits (an answer older than what the page
/// asked for since). Only the first matching request is held unless <c>every</c> is set. With <c>fallBack</c> the
/// request let go goes on to the route registered before this one (a problem answered in the API's place) instead of
/// the server.
/// </summary>
internal sealed class HeldAnswer
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _asked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _delivered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _readNow;
    private readonly bool _fallBack;

    private HeldAnswer(bool readNow, bool fallBack = false) => (_readNow, _fallBack) = (readNow, fallBack);

    public static async Task<HeldAnswer> HoldAsync(IPage page, string glob, bool readNow = false, bool every = false, bool fallBack = false)
    {
        var held = new HeldAnswer(readNow, fallBack);
        await page.RouteAsync(glob, held.HandleAsync, Options(every));
        return held;
    }

    public static async Task<HeldAnswer> HoldAsync(IPage page, Func<string, bool> url, bool readNow = false, bool every = false)
    {
        var held = new HeldAnswer(readNow);
        await page.RouteAsync(url, held.HandleAsync, Options(every));
        return held;
    }

    /// <summary>Waits until the page has asked (and, with <c>readNow</c>, the server has answered).</summary>
    public Task AskedAsync() => _asked.Task.WaitAsync(Patience);

    /// <summary>Lets the answer go (a test calls it in a <c>finally</c> too, so that nothing stays held).</summary>
    public void Release() => _released.TrySetResult();

    /// <summary>Waits until the answer has reached the page, then gives the page half a second to handle it.</summary>
    public async Task DeliveredAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        await _delivered.Task.WaitAsync(Patience);
        await page.EvaluateAsync("() => new Promise((resolve) => setTimeout(resolve, 500))");
    }

    /// <summary>
    /// Lets the answer go and asserts that <paramref name="target"/> has not moved once <paramref name="answered"/>
    /// holds. With <paramref name="pressed"/> the mouse is down on the target while the answer arrives and up after it,
    /// as a tap begun just before: had the page moved, the release would land on something else and the press be lost.
    /// </summary>
    public async Task ReleaseWithoutMovingAsync(IPage page, ILocator target, Func<Task> answered, bool pressed = false)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(answered);
        var before = (await target.BoundingBoxAsync())!;
        if (pressed)
        {
            await page.Mouse.MoveAsync(before.X + (before.Width / 2), before.Y + (before.Height / 2));
            await page.Mouse.DownAsync();
        }

        Release();
        await answered();
        var after = (await target.BoundingBoxAsync())!;
        Assert.Equal((before.X, before.Y), (after.X, after.Y));
        if (pressed)
        {
            await page.Mouse.UpAsync();
        }
    }

    private static PageRouteOptions? Options(bool every) => every ? null : new PageRouteOptions { Times = 1 };

    private async Task HandleAsync(IRoute route)
    {
        if (_readNow)
        {
            var answer = await route.FetchAsync();
            _asked.TrySetResult();
            await _released.Task;
            await route.FulfillAsync(new RouteFulfillOptions { Response = answer });
        }
        else
        {
            _asked.TrySetResult();
            await _released.Task;
            await (_fallBack ? route.FallbackAsync() : route.ContinueAsync());
        }

        _delivered.TrySetResult();
    }
}
