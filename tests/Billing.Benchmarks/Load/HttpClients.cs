namespace Billing.Benchmarks.Load;

/// <summary>Load clients: keep-alive HTTP/1.1, one connection per concurrent caller, no proxy, no cookies.</summary>
internal static class HttpClients
{
    public static HttpClient Create(Uri baseAddress, int connections) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>Polls GET <paramref name="path"/> every 10 ms until it answers 200; returns false at the deadline or when <paramref name="exited"/>.</summary>
    public static async Task<bool> WaitFor200Async(Uri baseAddress, string path, TimeSpan timeout, Func<bool> exited)
    {
        using var probe = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !exited())
        {
            try
            {
                using var response = await probe.GetAsync(new Uri(path, UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(10);
        }

        return false;
    }
}
