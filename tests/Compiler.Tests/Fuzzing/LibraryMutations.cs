using System.Text;
using Tts.TestSupport;

namespace Tts.Compiler.Tests.Fuzzing;

/// <summary>
/// Byte mutations of every file of the strategy library (<c>examples/strategies</c>, <c>examples/broken</c>): bit
/// flips, overwritten, deleted and inserted bytes (invalid UTF-8, an encoded lone surrogate, U+2028, a BOM, NUL,
/// brackets), runs duplicated many times over (deep nesting, long chains), truncation. The bytes are read back as the
/// CLI reads a file (UTF-8 with replacement characters) or, one time in four, one byte per character (raw control
/// characters). Seeded: an input is reproduced from its seed alone.
/// </summary>
public static class LibraryMutations
{
    private static readonly Lazy<byte[][]> Library = new(() =>
        new[] { "strategies", "broken" }
            .SelectMany(folder => Directory.GetFiles(RepoPaths.Combine("examples", folder), "*.tts"))
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(File.ReadAllBytes)
            .ToArray());

    private static readonly byte[][] Insertions =
    {
        new byte[] { 0xE2, 0x80, 0xA8 }, new byte[] { 0xE2, 0x80, 0xA9 }, new byte[] { 0xED, 0xA0, 0x80 }, new byte[] { 0xC0, 0xAF },
        new byte[] { 0xEF, 0xBB, 0xBF }, new byte[] { 0x00 }, new byte[] { 0x1B, 0x5B, 0x32, 0x4A }, new byte[] { 0xFF }, new byte[] { 0x80 },
        "((((("u8.ToArray(), "\""u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(), "-"u8.ToArray(), "\n"u8.ToArray(), "\r"u8.ToArray(),
        "/*"u8.ToArray(), "99999999999999999999"u8.ToArray(), "1e999"u8.ToArray(), "fork {"u8.ToArray(), "\\u"u8.ToArray(),
    };

    /// <summary>The mutant of seed <paramref name="seed"/>: a mutation of library file number <c>seed mod (file count)</c>.</summary>
    public static string Mutant(int seed)
    {
        var random = new Random(seed);
        var original = Library.Value[(int)((uint)seed % (uint)Library.Value.Length)];
        var bytes = new List<byte>(original);
        var mutations = random.Next(1, 5);
        for (var i = 0; i < mutations; i++)
        {
            Mutate(bytes, random);
        }

        var array = bytes.ToArray();
        if (random.Next(4) == 0)
        {
            return Encoding.Latin1.GetString(array);
        }

        using var reader = new StreamReader(new MemoryStream(array), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static void Mutate(List<byte> bytes, Random random)
    {
        var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
        var length = Math.Min(bytes.Count - at, random.Next(1, 64));
        switch (random.Next(7))
        {
            case 0 when bytes.Count > 0:
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when bytes.Count > 0:
                bytes[at] = (byte)random.Next(256);
                break;
            case 2:
                bytes.RemoveRange(at, length);
                break;
            case 3:
                bytes.InsertRange(at, Insertions[random.Next(Insertions.Length)]);
                break;
            case 4:
                var run = bytes.GetRange(at, length);
                var copies = random.Next(4) == 0 ? random.Next(50, 400) : random.Next(1, 4);
                for (var i = 0; i < copies; i++)
                {
                    bytes.InsertRange(at, run);
                }

                break;
            case 5:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            default:
                bytes.Insert(at, (byte)random.Next(256));
                break;
        }
    }
}
