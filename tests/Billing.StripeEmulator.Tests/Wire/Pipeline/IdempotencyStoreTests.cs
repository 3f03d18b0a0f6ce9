extern alias Emulator;

using System.Globalization;
using Emulator::Billing.StripeEmulator.Wire.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Billing.StripeEmulator.Tests.Wire.Pipeline;

/// <summary>The store in process (no emulator): what it keeps as time passes, and that one key still runs one request at a time.</summary>
public sealed class IdempotencyStoreTests
{
    private const string ApiKey = "sk_test_store";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T00:00:00Z", CultureInfo.InvariantCulture));

    [Fact]
    public async Task Keys_past_their_retention_and_keys_without_a_saved_response_are_swept_and_live_ones_kept()
    {
        var store = new IdempotencyStore(_time);
        await SaveAsync(store, "old");
        await AcquireAndReleaseAsync(store, "never-saved");
        _time.Advance(TimeSpan.FromSeconds(IdempotencyStore.RetentionSeconds) - IdempotencyStore.SweepInterval);
        await SaveAsync(store, "recent");

        _time.Advance(IdempotencyStore.SweepInterval);
        await AcquireAndReleaseAsync(store, "trigger");

        Assert.Equal(2, store.Count); // "recent" and "trigger" (the sweep runs before the request's own key is added)
        var recent = await store.AcquireAsync(ApiKey, "recent", CancellationToken.None);
        Assert.NotNull(recent.Saved);
        recent.Gate.Release();
    }

    [Fact]
    public async Task The_store_is_swept_at_most_once_per_sweep_interval_not_on_every_request()
    {
        var store = new IdempotencyStore(_time);
        _time.Advance(IdempotencyStore.SweepInterval);
        await AcquireAndReleaseAsync(store, "trigger"); // the first sweep
        await SaveAsync(store, "stale", savedSecondsAgo: IdempotencyStore.RetentionSeconds);

        await AcquireAndReleaseAsync(store, "soon-after");
        Assert.Equal(3, store.Count);

        _time.Advance(IdempotencyStore.SweepInterval);
        await AcquireAndReleaseAsync(store, "next-sweep");
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task A_key_held_by_a_request_is_not_swept_so_later_requests_with_it_still_wait()
    {
        var store = new IdempotencyStore(_time);
        var running = await store.AcquireAsync(ApiKey, "busy", CancellationToken.None);
        _time.Advance(IdempotencyStore.SweepInterval);

        await AcquireAndReleaseAsync(store, "trigger"); // sweeps while "busy" is held

        var waiting = store.AcquireAsync(ApiKey, "busy", CancellationToken.None);

        Assert.False(waiting.IsCompleted);
        running.Gate.Release();
        var next = await waiting;
        Assert.Same(running, next);
        var after = store.AcquireAsync(ApiKey, "busy", CancellationToken.None);
        Assert.False(after.IsCompleted);
        next.Gate.Release();
        (await after).Gate.Release();
    }

    private async Task SaveAsync(IdempotencyStore store, string key, long savedSecondsAgo = 0)
    {
        var entry = await store.AcquireAsync(ApiKey, key, CancellationToken.None);
        entry.Saved = new SavedResponse("POST /v1/customers", string.Empty, 200, "application/json", [], "req_1", _time.GetUtcNow().ToUnixTimeSeconds() - savedSecondsAgo);
        entry.Gate.Release();
    }

    private static async Task AcquireAndReleaseAsync(IdempotencyStore store, string key) =>
        (await store.AcquireAsync(ApiKey, key, CancellationToken.None)).Gate.Release();
}
