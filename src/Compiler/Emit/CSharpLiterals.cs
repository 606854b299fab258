using System.Globalization;
using System.Text;
using Tts.Language.Binding;
using Tts.Semantics;

namespace Tts.Compiler.Emit;

/// <summary>C# source text for the values an IR instruction carries: constants, enum members, types, built-ins, names.</summary>
internal static class CSharpLiterals
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>An IR constant: long, double, string, bool, or object[] (a list, elements of those kinds).</summary>
    public static string Constant(object value) => value switch
    {
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d => Real(d),
        string s => String(s),
        bool b => b ? "true" : "false",
        object[] list => list.Length == 0 ? "global::System.Array.Empty<object>()" : $"new object[] {{ {string.Join(", ", list.Select(Constant))} }}",
        _ => throw new NotSupportedException($"the C# emitter cannot write a constant of type {value.GetType().Name}"),
    };

    /// <summary>A double written so that it parses back to the same bits (NaN, infinities and −0 included).</summary>
    public static string Real(double value)
    {
        if (double.IsNaN(value))
        {
            return "double.NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)) != BitConverter.DoubleToInt64Bits(value))
        {
            text = value.ToString("G17", CultureInfo.InvariantCulture);
        }

        return text + "d";
    }

    public static string String(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\0': builder.Append("\\0"); break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\u0085')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
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

    /// <summary>An enum member by its full name, e.g. <c>global::Tts.Semantics.ResampleMethod.Systematic</c>.</summary>
    public static string Enum(System.Enum value)
    {
        var name = System.Enum.GetName(value.GetType(), value)
                   ?? throw new NotSupportedException($"{value.GetType().Name} value {value} has no name");
        return $"global::{value.GetType().FullName!.Replace('+', '.')}.{name}";
    }

    public static string Type(TtsType type) => type.Kind == TypeKind.List
        ? $"TtsType.ListOf({Type(type.Element!)})"
        : $"TtsType.{type.Kind}";

    /// <summary>A built-in by its stable signature (names repeat among overloads: log(Real), log(Score)...).</summary>
    public static string Builtin(BuiltinFunction function) => $"BuiltinFunction.BySignature({String(function.Signature)})";

    /// <summary>A C# identifier for a name from the program: itself, or prefixed when it is a keyword or one of ours.</summary>
    public static string Identifier(string name, Func<string, bool> taken) =>
        Keywords.Contains(name) || taken(name) ? "arg_" + name : name;

    /// <summary>
    /// IR text in a line comment (an instruction prints on one line; this keeps it so): every character C# reads as a line end (CR, LF, U+0085, U+2028, U+2029) is escaped, so a
    /// string of the program quoted in the comment cannot end it and turn the rest of the line into code.
    /// </summary>
    public static string Comment(string text)
    {
        var builder = new StringBuilder("// ");
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\u0085' or '\u2028' or '\u2029' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }
}
