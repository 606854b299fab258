using System.Globalization;

namespace Tts.Runtime.Execution;

/// <summary>Byte counts as people write them: <c>8GB</c>, <c>512MiB</c>, <c>1.5G</c>, <c>1000000</c>.</summary>
public static class MemorySize
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("KIB", 1L << 10), ("MIB", 1L << 20), ("GIB", 1L << 30), ("TIB", 1L << 40),
        ("KB", 1000L), ("MB", 1000L * 1000), ("GB", 1000L * 1000 * 1000), ("TB", 1000L * 1000 * 1000 * 1000),
        ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("T", 1L << 40), ("B", 1L),
    ];

    /// <summary>Parses a positive size; null when <paramref name="text"/> is not one.</summary>
    public static long? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim().ToUpperInvariant();
        var unit = Units.FirstOrDefault(u => trimmed.EndsWith(u.Suffix, StringComparison.Ordinal), (Suffix: "", Factor: 1L));
        var number = trimmed[..(trimmed.Length - unit.Suffix.Length)].Trim();
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || !(value > 0))
        {
            return null;
        }

        var bytes = value * unit.Factor;
        return bytes is >= 1 and < long.MaxValue ? (long)bytes : null;
    }

    /// <summary>A size in the largest binary unit that keeps it at least 1 (e.g. "1.5 GiB").</summary>
    public static string Format(long bytes)
    {
        string[] names = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < names.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{value:0.##} {names[unit]}");
    }
}
