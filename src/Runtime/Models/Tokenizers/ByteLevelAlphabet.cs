namespace Tts.Runtime.Models.Tokenizers;

/// <summary>
/// GPT-2's byte-to-unicode table used by byte-level BPE: printable bytes (33–126, 161–172, 174–255) stand for
/// themselves, every other byte b for the character 256 + (its rank among those others), so that every token is
/// printable text. Decoding a token maps its characters back to bytes.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] CharOfByte = BuildTable();
    private static readonly Dictionary<char, byte> ByteOfChar =
        Enumerable.Range(0, 256).ToDictionary(b => CharOfByte[b], b => (byte)b);

    /// <summary>The bytes a byte-level token stands for, or null when it holds a character outside the table.</summary>
    public static byte[]? BytesOf(string token)
    {
        var bytes = new byte[token.Length];
        for (var i = 0; i < token.Length; i++)
        {
            if (!ByteOfChar.TryGetValue(token[i], out bytes[i]))
            {
                return null;
            }
        }

        return bytes;
    }

    /// <summary>The byte-level spelling of raw bytes (used to build vocabularies in tests and tools).</summary>
    public static string Spell(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = CharOfByte[bytes[i]];
        }

        return new string(chars);
    }

    private static char[] BuildTable()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= 33 and <= 126 or >= 161 and <= 172 or >= 174 and <= 255;
            table[b] = printable ? (char)b : (char)next++;
        }

        return table;
    }
}
