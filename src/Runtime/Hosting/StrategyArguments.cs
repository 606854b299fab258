using System.Globalization;
using Tts.Runtime.Execution;
using Tts.Semantics;

namespace Tts.Runtime.Hosting;

/// <summary>
/// A strategy's arguments, checked against its parameters before anything runs: every name known, every parameter
/// given (or defaulted), every value of the parameter's type.
/// </summary>
public static class StrategyArguments
{
    /// <summary>
    /// Typed values from text (<c>--set name=value</c>; text values with their escapes decoded), defaults filled in. An unknown name, a missing value or a value
    /// that does not parse as the parameter's type is a one-line error.
    /// </summary>
    public static IReadOnlyDictionary<string, object> Parse(string strategy, IReadOnlyList<StrategyParameter> parameters, IReadOnlyDictionary<string, string> given)
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
            else if (parameter.Default is { } value)
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

    /// <summary>Checks typed values (one per parameter, or one per run as a <see cref="PerRunArgument"/>).</summary>
    public static void Check(string strategy, IReadOnlyList<StrategyParameter> parameters, IReadOnlyDictionary<string, object> arguments)
    {
        foreach (var name in arguments.Keys.Where(name => parameters.All(p => p.Name != name)))
        {
            throw new RuntimeException($"strategy '{strategy}' has no parameter '{name}'");
        }

        foreach (var parameter in parameters)
        {
            if (!arguments.TryGetValue(parameter.Name, out var value) || value is null)
            {
                throw new RuntimeException($"strategy '{strategy}' needs a value for parameter '{parameter.Name}: {parameter.Type}'");
            }

            foreach (var one in value is PerRunArgument perRun ? perRun.Values : new[] { value })
            {
                if (!Accepts(parameter.Type, one))
                {
                    throw new RuntimeException($"parameter '{parameter.Name}' is {parameter.Type}, but the value given is a {one?.GetType().Name ?? "null"}");
                }
            }
        }
    }

    /// <summary>
    /// A value typed as text; a text value takes the escapes of a string literal (<c>\n</c> is a newline), since a shell
    /// passes <c>'Q: 3+4=?\n'</c> as a backslash and an <c>n</c>.
    /// </summary>
    private static object Parse(StrategyParameter parameter, string text)
    {
        if (parameter.Type.Kind == TypeKind.Text)
        {
            return TextEscapes.Decode(text, out var error)
                ?? throw new RuntimeException($"parameter '{parameter.Name}': {error}");
        }

        object? value = parameter.Type.Kind switch
        {
            TypeKind.Int => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : null,
            TypeKind.Real => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsNaN(d) ? d : null,
            TypeKind.Bool => text switch { "true" => true, "false" => false, _ => null },
            _ => null,
        };
        return value ?? throw new RuntimeException($"parameter '{parameter.Name}' is {parameter.Type}, and '{text}' is not a valid {parameter.Type}");
    }

    private static bool Accepts(TtsType type, object? value) => type.Kind switch
    {
        TypeKind.Text => value is string,
        TypeKind.Int => value is long,
        TypeKind.Real => value is double d && !double.IsNaN(d),
        TypeKind.Bool => value is bool,
        _ => false,
    };
}
