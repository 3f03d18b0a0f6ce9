using System.Net;
using System.Net.Sockets;
using Billing.TestSupport;

namespace Billing.Infrastructure.Tests.Support;

/// <summary>The shared test support's "service that is down" stays down while other tests start servers.</summary>
public sealed class RefusingPortTests
{
    [Fact]
    public async Task A_server_another_test_starts_on_the_same_port_number_does_not_answer_for_the_service_that_is_down()
    {
        using var down = FreePort.Refusing();
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(down.Host)), down.Host);

        // Linux lets a listener that sets SO_REUSEADDR, as Kestrel and Node.js do, bind 127.0.0.1 on a port a socket
        // that does not listen holds (a CI run saw a concurrent test's Stripe emulator answer there).
        var server = new TcpListener(IPAddress.Loopback, down.Port);
        try
        {
            server.Start();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return; // a platform that refuses the bind cannot mix the two up either
        }

        try
        {
            using var client = new TcpClient();
            var refused = await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(down.Host, down.Port));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
        finally
        {
            server.Stop();
        }
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public async Task A_server_another_test_starts_on_every_address_with_the_same_port_number_does_not_answer_for_the_service_that_is_down(string wildcard)
    {
        using var down = FreePort.Refusing();
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal("127.0.0.2", down.Host);
        }

        // A listener on every address (Kestrel's http://*:port or http://+:port, Node.js without a host: [::] with IPv4
        // mapped) would take the connections to 127.0.0.2 too, if Linux let it bind the port the socket holds.
        var address = IPAddress.Parse(wildcard);
        using var server = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            server.DualMode = true;
        }

        server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            server.Bind(new IPEndPoint(address, down.Port));
            server.Listen();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return; // nothing else can be given the port: what the refusing port is for
        }

        using var client = new TcpClient();
        var refused = await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(down.Host, down.Port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }
}
