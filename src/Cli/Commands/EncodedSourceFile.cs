using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Tts.Cli.Commands;

/// <summary>
/// A .tts file's text together with the encoding details a rewrite must give back: a UTF-8 byte order mark and
/// CRLF line ends. Decoding is strict: a byte sequence that is not UTF-8 is refused with its line and column, since
/// the usual lenient reading turns it into U+FFFD and a rewrite would then destroy the original bytes.
/// </summary>
internal sealed record EncodedSourceFile(string Path, string Text, bool HasByteOrderMark, bool UsesCrlf)
{
    private static readonly byte[] ByteOrderMark = Encoding.UTF8.GetPreamble();

    public static EncodedSourceFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException(Directory.Exists(path) ? $"'{path}' is a folder, not a .tts file" : $"file not found: {path}");
        }

        var bytes = File.ReadAllBytes(path);
        var hasByteOrderMark = bytes.AsSpan().StartsWith(ByteOrderMark);
        var content = hasByteOrderMark ? bytes.AsSpan(ByteOrderMark.Length) : bytes.AsSpan();
        var text = DecodeStrictly(path, content);
        var firstLineEnd = text.IndexOf('\n', StringComparison.Ordinal);
        return new EncodedSourceFile(path, text, hasByteOrderMark, firstLineEnd > 0 && text[firstLineEnd - 1] == '\r');
    }

    /// <summary>
    /// The bytes to store for <paramref name="text"/> in this file's encoding: its byte order mark, if it had one, and
    /// its line ends (the formatter writes '\n'; a CRLF file gets "\r\n" everywhere, block comments included).
    /// </summary>
    public byte[] Encode(string text)
    {
        var encoded = Encoding.UTF8.GetBytes(WithLineEnds(text));
        return HasByteOrderMark ? [.. ByteOrderMark, .. encoded] : encoded;
    }

    /// <summary><paramref name="text"/> with this file's line ends: what <see cref="Encode"/> stores, as text to compare with <see cref="Text"/>.</summary>
    public string WithLineEnds(string text) =>
        UsesCrlf ? text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal) : text;

    private static string DecodeStrictly(string path, ReadOnlySpan<byte> bytes)
    {
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        var status = Utf8.ToUtf16(bytes, chars, out var bytesRead, out var charsWritten, replaceInvalidSequences: false);
        if (status == OperationStatus.Done)
        {
            return new string(chars, 0, charsWritten);
        }

        // The valid prefix locates the bad byte: one-based line, and column in characters as diagnostics count them.
        var valid = new string(chars, 0, charsWritten);
        var line = valid.Count(c => c == '\n') + 1;
        var column = valid.Length - (valid.LastIndexOf('\n') + 1) + 1;
        throw new CliException(
            $"{path}({line},{column}): not valid UTF-8 (byte 0x{bytes[bytesRead]:X2}); tts fmt reads and writes UTF-8 only, so the file is left unchanged");
    }
}
