using System.Runtime.InteropServices;

namespace Tts.Cli.Output;

/// <summary>
/// Notices that the reader of standard output has gone (<c>tts run ... | head -1</c>) so that a run stops computing.
/// .NET ignores SIGPIPE and its console stream drops EPIPE silently, so writes alone never fail: while the token is
/// in use, a background thread polls file descriptor 1 every <see cref="Interval"/>; a pipe whose read end is closed
/// reports POLLERR (Linux, macOS), and the token is cancelled. Where there is no such descriptor to poll (Windows,
/// output not redirected) the token never fires.
/// </summary>
internal sealed class ClosedOutputWatch : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private const int StandardOutput = 1;
    private const short PollError = 0x008;
    private const short PollHangUp = 0x010;

    private readonly CancellationTokenSource _closed = new();
    private readonly Thread? _thread;
    private volatile bool _disposed;

    private ClosedOutputWatch(bool poll)
    {
        if (poll)
        {
            _thread = new Thread(Watch) { IsBackground = true, Name = "stdout watch" };
            _thread.Start();
        }
    }

    /// <summary>Cancelled once the reader of standard output has closed its end.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>A watch of this process's standard output (polling only where it is a redirected Unix descriptor).</summary>
    public static ClosedOutputWatch OfStandardOutput() =>
        new(Console.IsOutputRedirected && (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()));

    public void Dispose()
    {
        _disposed = true;
        _thread?.Join();
        _closed.Dispose();
    }

    private void Watch()
    {
        var descriptors = new[] { new PollDescriptor { Descriptor = StandardOutput, Events = 0 } };
        while (!_disposed)
        {
            descriptors[0].Returned = 0;
            var ready = NativeMethods.Poll(descriptors, 1, (int)Interval.TotalMilliseconds);
            if (ready > 0 && (descriptors[0].Returned & (PollError | PollHangUp)) != 0)
            {
                _closed.Cancel();
                return;
            }

            if (ready == 0)
            {
                continue;
            }

            // Interrupted, or a descriptor that is not open: wait rather than spin.
            Thread.Sleep(Interval);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short Returned;
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Poll([In, Out] PollDescriptor[] descriptors, nuint count, int timeout);
    }
}
