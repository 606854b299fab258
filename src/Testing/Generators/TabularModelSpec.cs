using System.Globalization;
using System.Text;
using Tts.Runtime.Models.Tabular;

namespace Tts.Testing.Generators;

/// <summary>
/// A small tabular model as data, so FsCheck can generate and shrink it: tokens (the last one is EOS), order, the
/// token limit, and rows of integer weights by context key (normalized when written; "" is always present).
/// </summary>
public sealed record TabularModelSpec(IReadOnlyList<string> Tokens, int Order, int MaxTokens, IReadOnlyDictionary<string, int[]> Rows)
{
    public const string Eos = "<eos>";

    public string ToJson()
    {
        var json = new StringBuilder();
        json.Append("{\"format\": \"tts-tabular-lm/1\", \"vocab\": [");
        json.Append(string.Join(", ", Tokens.Select(Quote)));
        json.Append(CultureInfo.InvariantCulture, $"], \"eos\": {Quote(Eos)}, \"order\": {Order}, \"max_tokens\": {MaxTokens}, \"probs\": {{");
        json.Append(string.Join(", ", Rows.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r =>
        {
            var total = (double)r.Value.Sum();
            return $"{Quote(r.Key)}: [{string.Join(", ", r.Value.Select(w => (w / total).ToString("R", CultureInfo.InvariantCulture)))}]";
        })));
        json.Append("}}");
        return json.ToString();
    }

    public TabularModel ToModel() => TabularModel.Parse(ToJson(), "generated.json");

    public override string ToString() => ToJson();

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
