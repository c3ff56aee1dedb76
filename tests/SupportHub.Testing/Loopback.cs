using System.Net;
using System.Net.Sockets;

namespace SupportHub.Testing;

/// <summary>The loopback interface, where every server a test starts listens.</summary>
public static class Loopback
{
    /// <summary>A TCP port on 127.0.0.1 that was free when asked: another process may take it before
    /// the caller's server binds it, so a caller that must not fail for that tries again.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
