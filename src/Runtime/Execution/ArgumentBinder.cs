using System.Globalization;
using Tts.Language.Binding;
using Tts.Language.Binding.Symbols;
using Tts.Language.Binding.Types;

namespace Tts.Runtime.Execution;

/// <summary>Turns textual arguments (<c>--set name=value</c>) into typed values, filling in defaults.</summary>
public static class ArgumentBinder
{
    public static IReadOnlyDictionary<string, object> Bind(
        string strategy,
        IReadOnlyList<ParameterSymbol> parameters,
        IReadOnlyDictionary<string, string> given)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var name in given.Keys)
        {
            if (parameters.All(p => p.Name != name))
            {
                var list = parameters.Count == 0 ? "it takes none" : $"it takes {string.Join(", ", parameters.Select(p => $"{p.Name}: {p.Type}"))}";
                throw new RuntimeException($"strategy '{strategy}' has no parameter '{name}': {list}");
            }
        }

        foreach (var parameter in parameters)
        {
            if (given.TryGetValue(parameter.Name, out var text))
            {
                values[parameter.Name] = Parse(parameter, text);
            }
            else if (parameter.DefaultValue is { } value)
            {
                values[parameter.Name] = value;
            }
            else
            {
                throw new RuntimeException($"strategy '{strategy}' needs a value for parameter '{parameter.Name}: {parameter.Type}': pass --set {parameter.Name}=VALUE");
            }
        }

        return values;
    }

    private static object Parse(ParameterSymbol parameter, string text)
    {
        object? value = parameter.Type.Kind switch
        {
            TypeKind.Text => text,
            TypeKind.Int => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : null,
            TypeKind.Real => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsNaN(d) ? d : null,
            TypeKind.Bool => text switch { "true" => true, "false" => false, _ => null },
            _ => null,
        };
        return value ?? throw new RuntimeException($"parameter '{parameter.Name}' is {parameter.Type}, and '{text}' is not a valid {parameter.Type}");
    }
}
