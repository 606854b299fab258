using System.Text;

namespace Tts.Cli.Output;

/// <summary>
/// Standard output as every command sees it: once <see cref="ClosedOutputWatch"/> says the reader has gone
/// (<c>tts eval ... | head -3</c>), the next write throws <see cref="OperationCanceledException"/> instead of being
/// dropped, so a command stops at its next line of results even where its compute takes no cancellation token; the
/// command line turns that exception into exit 141 with nothing on stderr (<see cref="TtsCommandLine.OutputClosed"/>).
/// A command whose compute does take a token hands it <see cref="ClosedOf"/> its output, and stops mid-compute.
/// </summary>
internal sealed class ClosedOutputWriter(TextWriter inner, CancellationToken closed) : TextWriter
{
    /// <summary>Cancelled once the reader of <paramref name="output"/> has gone; never, for an output that is not watched.</summary>
    public static CancellationToken ClosedOf(TextWriter output) => output is ClosedOutputWriter watched ? watched._closed : default;

    /// <summary>
    /// <paramref name="progress"/> (stderr) for compute that reports progress but takes no token (the benchmarks): its
    /// next progress line after the reader of <paramref name="output"/> has gone stops the command.
    /// </summary>
    public static TextWriter StoppingProgress(TextWriter progress, TextWriter output) => new ClosedOutputWriter(progress, ClosedOf(output));

    private readonly CancellationToken _closed = closed;

    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override string NewLine
    {
#pragma warning disable CS8765 // TextWriter.NewLine's setter takes null (and means the default); the inner writer decides.
        get => inner.NewLine;
        set => inner.NewLine = value;
#pragma warning restore CS8765
    }

    public override void Write(char value)
    {
        _closed.ThrowIfCancellationRequested();
        inner.Write(value);
    }

    public override void Write(string? value)
    {
        _closed.ThrowIfCancellationRequested();
        inner.Write(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        _closed.ThrowIfCancellationRequested();
        inner.Write(buffer, index, count);
    }

    public override void WriteLine(string? value)
    {
        _closed.ThrowIfCancellationRequested();
        inner.WriteLine(value);
    }

    public override void Flush()
    {
        _closed.ThrowIfCancellationRequested();
        inner.Flush();
    }
}
