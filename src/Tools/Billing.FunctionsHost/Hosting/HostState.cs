using Billing.FunctionsHost.Http;

namespace Billing.FunctionsHost.Hosting;

internal enum HostPhase
{
    Starting,
    Running,
    Stopping,
}

/// <summary>What the public port needs to know: the phase (for /admin/host/status) and the HTTP routes once indexed.</summary>
internal sealed class HostState
{
    private volatile HttpRouteTable? routes;
    private volatile int phase;

    public HostPhase Phase
    {
        get => (HostPhase)phase;
        set => phase = (int)value;
    }

    public HttpRouteTable? Routes
    {
        get => routes;
        set => routes = value;
    }
}
