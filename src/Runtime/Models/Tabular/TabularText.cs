namespace Tts.Runtime.Models.Tabular;

/// <summary>Formatting shared by the tabular model's messages.</summary>
internal static class TabularText
{
    /// <summary>A string as a quoted literal with escapes (the language's own quoting), so keys with spaces or quotes read unambiguously.</summary>
    public static string Quote(string value) => Tts.Semantics.Constants.Quote(value);

    public static string Number(double value) =>
        value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
