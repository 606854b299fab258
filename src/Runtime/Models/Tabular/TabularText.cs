namespace Tts.Runtime.Models.Tabular;

/// <summary>Formatting shared by the tabular model's messages.</summary>
internal static class TabularText
{
    /// <summary>A string as a JSON-style quoted literal, so keys with spaces or quotes read unambiguously.</summary>
    public static string Quote(string value)
    {
        var builder = new System.Text.StringBuilder(value.Length + 2);
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    public static string Number(double value) =>
        value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
