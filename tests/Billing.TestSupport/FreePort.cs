using System.Net;
using System.Net.Sockets;

namespace Billing.TestSupport;

public static class FreePort
{
    /// <summary>A loopback TCP port that was free a moment ago.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// An <see cref="HttpListener"/> serving <c>http://127.0.0.1:PORT/</c> (the returned URL) on a port that was free a
    /// moment ago, and on another one when that port was taken in between (as in <see cref="StartOnFreePortAsync{T}"/>).
    /// </summary>
    public static (HttpListener Listener, Uri Url) StartHttpListener()
    {
        for (var attempt = 1; ; attempt++)
        {
            var url = new Uri($"http://127.0.0.1:{Next().ToString(System.Globalization.CultureInfo.InvariantCulture)}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(url.ToString());
            try
            {
                listener.Start();
                return (listener, url);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close(); // the port was taken in between: try another
            }
        }
    }

    /// <summary>
    /// Stops <paramref name="listener"/> and waits for its serving loop, at most 5 s: waiting without a bound hung one CI
    /// run under load (no connection open, every thread idle), most likely on a GetContextAsync begun while Stop ran;
    /// after Stop the loop serves nothing more anyway.
    /// </summary>
    public static async Task StopHttpListenerAsync(HttpListener listener, Task serving)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(serving);
        listener.Stop();
        listener.Close();
        try
        {
            await serving.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // left behind
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            // the loop ended on the stop
        }
    }

    /// <summary>A loopback port another listener holds for as long as the result is held: "another process took it".</summary>
    public static OccupiedPort Occupied() => new();

    /// <summary>
    /// A loopback address and port that refuse connections for as long as the result is held: "a service that is down".
    /// A port from <see cref="Next"/> would do only until another server, or an outgoing connection, takes it.
    /// </summary>
    public static RefusingPort Refusing() => new();

    /// <summary>
    /// One refusing port held for the whole test process: where a test app's Stripe points unless its test gives one
    /// (<see cref="FunctionAppSettings.ForEmulators"/>), rather than the development default 127.0.0.1:12111, which a
    /// Stripe emulator of <c>scripts/run-local.sh</c> on the same machine answers.
    /// </summary>
    public static RefusingPort Nowhere => LazyNowhere.Value;

    private static readonly Lazy<RefusingPort> LazyNowhere = new(() => new RefusingPort());

    /// <summary>
    /// Starts a server on a port that was free a moment ago, and again on another one when that port was taken in
    /// between: the kernel hands the same ephemeral ports to outgoing connections, so on a busy machine it happens.
    /// <paramref name="start"/> starts the server on the port and waits until it serves; it throws
    /// <see cref="PortTakenException"/> when the server could not bind.
    /// </summary>
    public static async Task<T> StartOnFreePortAsync<T>(Func<int, Task<T>> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await start(Next());
            }
            catch (PortTakenException) when (attempt < 3)
            {
                // another port
            }
        }
    }

    /// <summary>
    /// The failure of a server that exited during start-up, with its output: a <see cref="PortTakenException"/> when the
    /// output says it could not bind its port (Kestrel, the local host, Node.js).
    /// </summary>
    public static InvalidOperationException ExitedDuringStart(string message, string output)
    {
        var text = message + "\n" + output;
        var portTaken = output.Contains("already in use", StringComparison.OrdinalIgnoreCase) || output.Contains("EADDRINUSE", StringComparison.Ordinal);
        return portTaken ? new PortTakenException(text) : new InvalidOperationException(text);
    }

    /// <summary>
    /// Waits until <paramref name="server"/> (or a process it started) listens on <paramref name="port"/>: a connection
    /// alone would also reach another process that took the port after <see cref="Next"/>, while the server, still
    /// starting, has yet to fail to bind it. When it does not (it exited first: see <see cref="ExitedDuringStart"/>; or
    /// the time ran out), stops it and throws with its output.
    /// </summary>
    public static async Task WaitUntilListeningAsync(int port, TimeSpan timeout, ManagedProcess server)
    {
        ArgumentNullException.ThrowIfNull(server);
        try
        {
            await WaitAsync(port, timeout, server);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static async Task WaitAsync(int port, TimeSpan timeout, ManagedProcess server)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (server.HasExited)
            {
                throw ExitedDuringStart($"{server.Name} exited before listening on 127.0.0.1:{port}.", await server.OutputAtExitAsync(TimeSpan.FromSeconds(10)));
            }

            if (await ListensAsync(server, port))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{server.Name} did not listen on 127.0.0.1:{port} after {timeout.TotalSeconds:0}s.\n{server.Output}");
    }

    /// <summary>
    /// Whether <paramref name="server"/>, or a process it started (the emulators run under a watchdog shell), holds the
    /// socket listening on <paramref name="port"/> (Linux's /proc). Without /proc, whether anything answers there.
    /// </summary>
    public static async Task<bool> ListensAsync(ManagedProcess server, int port)
    {
        ArgumentNullException.ThrowIfNull(server);
        return ListeningSockets(port) is { } sockets
            ? sockets.Count > 0 && ProcessTree.DescendantsOf(server.Id).Prepend(server.Id).Any(pid => HoldsAny(pid, sockets))
            : await AnswersAsync(port);
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The inodes (<c>socket:[n]</c>) of the sockets listening on the TCP port, from Linux's /proc; null without it.</summary>
    private static HashSet<string>? ListeningSockets(int port)
    {
        string[] tables = ["/proc/net/tcp", "/proc/net/tcp6"];
        if (!File.Exists(tables[0]))
        {
            return null;
        }

        var local = ":" + port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        var sockets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in tables.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...; st 0A is LISTEN
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[1].EndsWith(local, StringComparison.Ordinal) && fields[3] == "0A")
                {
                    sockets.Add($"socket:[{fields[9]}]");
                }
            }
        }

        return sockets;
    }

    private static bool HoldsAny(int pid, HashSet<string> sockets)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget is { } target && sockets.Contains(target));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone, or not ours to look at
        }
    }
}

/// <summary>
/// A loopback address and port where nothing listens, for as long as the result is held: "a service that is down". It is
/// on 127.0.0.2, where no test server listens (they all listen on 127.0.0.1 or localhost), so the kernel refuses every
/// connection. A port on 127.0.0.1 would not do, not even one held by a bound socket: Linux lets a listener that sets
/// SO_REUSEADDR (Kestrel, Node.js) bind a port that a socket which does not listen holds, and a CI run saw the Stripe
/// emulator of a concurrent test answer on "the service that is down". Where 127.0.0.2 cannot be bound (macOS has only
/// 127.0.0.1 on its loopback), it falls back to 127.0.0.1.
/// </summary>
public sealed class RefusingPort : IDisposable
{
    private static readonly IPAddress Unused = IPAddress.Parse("127.0.0.2");

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    internal RefusingPort()
    {
        // Bound without SO_REUSEADDR, so that no other socket is given the port on any address: .NET sets SO_REUSEADDR
        // on every TCP socket it binds on Unix, and with it on both sockets Linux lets a listener on every address
        // (0.0.0.0, or [::] as Kestrel's http://*:port and Node.js without a host bind) bind the port, which then
        // takes the connections to 127.0.0.2. So on Linux the socket is bound by libc's bind(2) itself.
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, false);
        var bound = OperatingSystem.IsLinux() ? BindExclusively(Unused) : Bind(Unused);
        if (!bound && !(OperatingSystem.IsLinux() ? BindExclusively(IPAddress.Loopback) : Bind(IPAddress.Loopback)))
        {
            throw new SocketException((int)SocketError.AddressNotAvailable);
        }

        using var view = new Socket(new SafeSocketHandle(_socket.Handle, ownsHandle: false));
        var endpoint = (IPEndPoint)view.LocalEndPoint!;
        Host = endpoint.Address.ToString();
        Port = endpoint.Port;
    }

    /// <summary>The loopback address, e.g. <c>127.0.0.2</c>.</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>An http URL on the address and port, with a trailing slash.</summary>
    public Uri Url => new($"http://{Host}:{Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}/");

    public void Dispose() => _socket.Dispose();

    /// <summary>False when the address cannot be bound (macOS has only 127.0.0.1 on its loopback).</summary>
    private bool Bind(IPAddress address)
    {
        try
        {
            _socket.Bind(new IPEndPoint(address, 0));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            return false;
        }
    }

    /// <summary>Linux: bind(2) on port 0 of <paramref name="address"/>, keeping the socket's SO_REUSEADDR off.</summary>
    private bool BindExclusively(IPAddress address)
    {
        var socketAddress = new byte[16]; // struct sockaddr_in: family (host order), port 0, address, zero padding
        BitConverter.TryWriteBytes(socketAddress.AsSpan(0, 2), (ushort)2); // AF_INET
        address.TryWriteBytes(socketAddress.AsSpan(4, 4), out _);
        if (NativeMethods.bind(_socket.Handle, socketAddress, socketAddress.Length) == 0)
        {
            return true;
        }

        const int EADDRNOTAVAIL = 99;
        var error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        return error == EADDRNOTAVAIL ? false : throw new SocketException(error == 98 ? (int)SocketError.AddressAlreadyInUse : (int)SocketError.SocketError);
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054, CA5392, IDE1006 // one libc call in test support; its C name
        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        internal static extern int bind(nint socket, byte[] address, int addressLength);
#pragma warning restore SYSLIB1054, CA5392, IDE1006
    }
}

/// <summary>A server could not bind the port it was given: another socket took it after <see cref="FreePort.Next"/>.</summary>
public sealed class PortTakenException(string message) : InvalidOperationException(message);

/// <summary>A loopback port held by a listening socket of this process (see <see cref="FreePort.Occupied"/>).</summary>
public sealed class OccupiedPort : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    internal OccupiedPort()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    public void Dispose() => _listener.Dispose();
}
