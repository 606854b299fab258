using System.Buffers;
using System.Text;

namespace Tts.Runtime.Models;

/// <summary>
/// Token texts that may hold partial UTF-8 sequences. A byte-level BPE token can end (or start) in the middle of a
/// character; such a byte b (0x80–0xFF) is kept as the lone surrogate U+DC00 + b ("surrogate escape", as Python's
/// <c>surrogateescape</c>), so concatenating token texts loses nothing. <see cref="Append"/> re-decodes the escaped
/// bytes at the seam, turning a character split across tokens back into that character; <see cref="Complete"/>
/// replaces bytes that never completed a character with U+FFFD, so finished text is always valid UTF-16.
/// </summary>
public static class TokenText
{
    private const char FirstEscape = '\uDC80';
    private const char LastEscape = '\uDCFF';

    public static bool IsEscapedByte(char c) => c is >= FirstEscape and <= LastEscape;

    /// <summary>Decodes UTF-8, escaping each byte that is not part of a complete, valid sequence.</summary>
    public static string DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        Span<char> buffer = stackalloc char[2];
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) == OperationStatus.Done)
            {
                text.Append(buffer[..rune.EncodeToUtf16(buffer)]);
                bytes = bytes[consumed..];
            }
            else
            {
                text.Append((char)(0xDC00 + bytes[0]));
                bytes = bytes[1..];
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// <paramref name="text"/> followed by <paramref name="token"/>, with escaped bytes at the seam re-decoded.
    /// <paramref name="unchangedLength"/> is how much of <paramref name="text"/> is a prefix of the result unchanged
    /// (a stop-string search need only start near there).
    /// </summary>
    public static string Append(string text, string token, out int unchangedLength)
    {
        var seamStart = text.Length;
        while (seamStart > 0 && IsEscapedByte(text[seamStart - 1]))
        {
            seamStart--;
        }

        var seamEnd = 0;
        while (seamEnd < token.Length && IsEscapedByte(token[seamEnd]))
        {
            seamEnd++;
        }

        unchangedLength = seamStart;
        if (seamStart == text.Length || seamEnd == 0)
        {
            // No escaped byte on one side of the seam: the bytes cannot join into a character.
            unchangedLength = text.Length;
            return text + token;
        }

        var bytes = new byte[text.Length - seamStart + seamEnd];
        var i = 0;
        foreach (var c in text.AsSpan(seamStart))
        {
            bytes[i++] = (byte)(c - 0xDC00);
        }

        foreach (var c in token.AsSpan(0, seamEnd))
        {
            bytes[i++] = (byte)(c - 0xDC00);
        }

        return string.Concat(text.AsSpan(0, seamStart), DecodeUtf8(bytes), token.AsSpan(seamEnd));
    }

    /// <summary>The text with every remaining escaped byte (an incomplete character) replaced by U+FFFD.</summary>
    public static string Complete(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange(FirstEscape, LastEscape))
        {
            return text;
        }

        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (IsEscapedByte(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }
}
