using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tts.Engines.Remote.Tests;

/// <summary>What the proxy does to one request.</summary>
internal enum Fault
{
    None,

    /// <summary>Reads the request and closes the connection without an answer.</summary>
    Drop,

    /// <summary>Answers 503 itself; the server never sees the request.</summary>
    Unavailable,

    /// <summary>Forwards after a pause.</summary>
    Delay,

    /// <summary>Forwards, then passes on only the first half of the server's answer and closes.</summary>
    Truncate,
}

/// <summary>
/// A loopback HTTP/1.1 proxy in front of a test server (127.0.0.1, a free port) that spoils requests by number:
/// dropped connections, 503s, delays, bodies cut off. Each connection carries one request (it asks the server for
/// <c>Connection: close</c>), so a fault hits exactly the request it is meant for. Disposing stops it.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly Func<int, Fault> _faultOf;
    private readonly TimeSpan _delay;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _requests;

    public FaultProxy(Uri target, Func<int, Fault> faultOf, TimeSpan delay)
    {
        _target = target;
        _faultOf = faultOf;
        _delay = delay;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The proxy's address in place of the server's, e.g. <c>http://127.0.0.1:40001/</c>.</summary>
    public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public int Requests => Volatile.Read(ref _requests);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                break;
            }

            connections.Add(ServeAsync(client));
        }

        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream);
                if (request is null)
                {
                    return;
                }

                var fault = _faultOf(Interlocked.Increment(ref _requests) - 1);
                switch (fault)
                {
                    case Fault.Drop:
                        return;
                    case Fault.Unavailable:
                        await stream.WriteAsync("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
                        return;
                    case Fault.Delay:
                        await Task.Delay(_delay, _stop.Token);
                        break;
                }

                var answer = await ForwardAsync(request);
                var length = fault == Fault.Truncate ? answer.Length / 2 : answer.Length;
                await stream.WriteAsync(answer.AsMemory(0, length), _stop.Token);
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException)
            {
                // The client went away (cancelled, timed out): nothing to answer.
            }
        }
    }

    /// <summary>The request's head and body, its Connection header replaced by "close"; null if the client sent nothing.</summary>
    private async Task<byte[]?> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(buffer)) < 0)
        {
            var read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        var head = Encoding.ASCII.GetString(buffer.GetBuffer(), 0, headEnd);
        var lines = head.Split("\r\n").Where(l => !l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase)).ToList();
        var contentLength = lines.Select(l => l.Split(':', 2)).Where(p => p[0].Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();
        while (buffer.Length < headEnd + 4 + contentLength)
        {
            var read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        var body = buffer.GetBuffer().AsSpan(headEnd + 4, contentLength).ToArray();
        return [.. Encoding.ASCII.GetBytes(string.Join("\r\n", lines) + "\r\nConnection: close\r\n\r\n"), .. body];
    }

    /// <summary>Sends the request to the server on a new connection and reads its whole answer (the server closes after it).</summary>
    private async Task<byte[]> ForwardAsync(byte[] request)
    {
        using var server = new TcpClient();
        await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
        var stream = server.GetStream();
        await stream.WriteAsync(request, _stop.Token);
        var answer = new MemoryStream();
        await stream.CopyToAsync(answer, _stop.Token);
        return answer.ToArray();
    }

    private static int IndexOfHeadEnd(MemoryStream buffer) =>
        buffer.GetBuffer().AsSpan(0, (int)buffer.Length).IndexOf("\r\n\r\n"u8);
}
