using System.Collections;
using System.Reflection;
using System.Text;
using Tts.Compiler.Emit;
using Tts.Compiler.IR;
using Tts.Language.Binding;
using Tts.Language.Binding.Symbols;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Compiler.Driver;

/// <summary>
/// Text dumps of each stage. Trees (AST, bound tree) are printed generically from their record properties,
/// one node per line with its span, so a new node kind needs no printer change.
/// </summary>
public static class StageDumper
{
    public static string Dump(Compilation compilation, CompilerStage stage) => stage switch
    {
        CompilerStage.Ast => PrintTree(compilation.Syntax.Root),
        CompilerStage.Bound => PrintTree(compilation.Bound),
        CompilerStage.Ir => compilation.Lowered is { } ir ? NotLowered(compilation) + IrPrinter.Print(ir) : "",
        CompilerStage.CSharp => compilation.Optimized is { } emitted ? NotLowered(compilation) + EmitCSharp(compilation, emitted) : "",
        _ => compilation.Optimized is { } opt ? NotLowered(compilation) + IrPrinter.Print(opt) : "",
    };

    private static string EmitCSharp(Compilation compilation, IrModule module)
    {
        var fileName = Path.GetFileName(compilation.Syntax.Source.Path);
        return CSharpEmitter.Emit(module, new CSharpEmitOptions(ClassName: CSharpEmitter.ClassNameFor(fileName), Source: fileName));
    }

    /// <summary>One comment line per strategy the IR cannot express yet, so a dump never silently omits one.</summary>
    private static string NotLowered(Compilation compilation) =>
        string.Concat(compilation.Bound.Strategies
            .Select(s => (s.Symbol.Name, Reason: Lowering.Lowerer.Unsupported(s, compilation.Bound)))
            .Where(s => s.Reason is not null)
            .Select(s => $"// strategy {s.Name} is not lowered: {s.Reason}\n"));

    public static string PrintTree(object root)
    {
        var builder = new StringBuilder();
        Print(builder, root, 0, null);
        return builder.ToString();
    }

    private static void Print(StringBuilder builder, object? node, int depth, string? label)
    {
        var indent = new string(' ', depth * 2);
        var prefix = label is null ? indent : $"{indent}{label}: ";
        switch (node)
        {
            case null:
                builder.Append(prefix).Append("none\n");
                return;
            case string or long or double or bool or int or Enum or TextSpan or Tts.Semantics.TtsType:
                builder.Append(prefix).Append(Leaf(node)).Append('\n');
                return;
            case Symbol symbol:
                builder.Append(prefix).Append(symbol.GetType().Name).Append(' ').Append(symbol.Name).Append('\n');
                return;
            case BuiltinFunction function:
                builder.Append(prefix).Append(function.Signature).Append('\n');
                return;
            case IEnumerable sequence:
                var items = sequence.Cast<object?>().ToList();
                builder.Append(prefix).Append($"[{items.Count}]\n");
                foreach (var item in items)
                {
                    Print(builder, item, depth + 1, null);
                }

                return;
        }

        var type = node.GetType();
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name is not "EqualityContract" and not "Span" && p.DeclaringType != typeof(object))
            .ToList();
        var span = type.GetProperty("Span")?.GetValue(node);
        builder.Append(prefix).Append(type.Name).Append(span is null ? "" : $" {span}").Append('\n');
        foreach (var property in properties)
        {
            var value = property.GetValue(node);
            if (IsDerived(property))
            {
                continue;
            }

            Print(builder, value, depth + 1, property.Name);
        }
    }

    /// <summary>Computed conveniences (IsMissing, IsPerParticle...) repeat what the tree already shows.</summary>
    private static bool IsDerived(PropertyInfo property) => property.SetMethod is null && property.Name.StartsWith("Is", StringComparison.Ordinal);

    private static string Leaf(object value) => value switch
    {
        string s => Constants.Quote(s),
        double or long or bool => Constants.Format(value),
        _ => value.ToString() ?? "",
    };
}
