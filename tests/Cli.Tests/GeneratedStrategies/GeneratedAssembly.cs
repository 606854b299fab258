using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.SourceGenerators;

namespace Tts.Cli.Tests.GeneratedStrategies;

/// <summary>
/// C# sources and .tts files run through <see cref="TtsGenerator"/> with Roslyn, compiled together, loaded, and their
/// generated strategies called: what a project using the generator gets, in memory.
/// </summary>
internal sealed class GeneratedAssembly
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray());

    private readonly Assembly _assembly;

    private GeneratedAssembly(Assembly assembly) => _assembly = assembly;

    /// <summary>One generated run of a strategy, read back from its typed Result.</summary>
    /// <summary>One run's result, its wall time dropped (it differs between any two executions).</summary>
    public sealed record Run(int Index, object? Output, Spent Spent);

    public static GeneratedAssembly Compile(IEnumerable<string> csharpFiles, IEnumerable<string> ttsFiles, params string[] extraSources) =>
        CompileExpecting(null, csharpFiles, ttsFiles, extraSources);

    /// <summary>As <see cref="Compile"/>; the generator must report <paramref name="expectedWarning"/> (a warning code) and nothing else.</summary>
    public static GeneratedAssembly CompileExpecting(string? expectedWarning, IEnumerable<string> csharpFiles, IEnumerable<string> ttsFiles, params string[] extraSources)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = csharpFiles.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f))
            .Concat(extraSources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parse, $"Extra{i}.cs")))
            .Append(CSharpSyntaxTree.ParseText("global using System; global using System.Linq; global using System.Collections.Generic;", parse, "Usings.cs"));
        var compilation = CSharpCompilation.Create(
            "Generated" + Guid.NewGuid().ToString("N"),
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var texts = ttsFiles.Select(f => (AdditionalText)new FileText(f)).ToArray();
        CSharpGeneratorDriver.Create(new[] { new TtsGenerator().AsSourceGenerator() }, texts, parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var unexpected = generatorDiagnostics.Where(d => !(d.Id == expectedWarning && d.Severity == DiagnosticSeverity.Warning)).ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
        Assert.True(expectedWarning is null || generatorDiagnostics.Any(d => d.Id == expectedWarning), $"the generator did not report {expectedWarning}");

        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        var problems = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(emit.Success && problems.Count == 0, string.Join("\n", problems));
        return new GeneratedAssembly(Assembly.Load(stream.ToArray()));
    }

    /// <summary>
    /// The compiler's emitted <c>Run_&lt;strategy&gt;</c> method that the generated run methods hand to StrategyHost
    /// (internal, in <c>Tts.Generated.Emitted.&lt;fileClass&gt;</c>), or null.
    /// </summary>
    public MethodInfo? EmittedRunMethod(string fileClass, string strategy) =>
        _assembly.GetType($"Tts.Generated.Emitted.{fileClass}")?.GetMethod("Run_" + strategy, BindingFlags.Public | BindingFlags.Static);

    public object Create(string typeName, params object[] arguments) =>
        Activator.CreateInstance(_assembly.GetType(typeName, throwOnError: true)!, arguments)!;

    /// <summary>
    /// Calls <c>Tts.Generated.{fileClass}.{strategyClass}.RunManyAsync</c>: models, instances, a Parameters record with
    /// the given properties (the others keep their .tts defaults), the options and the token.
    /// </summary>
    public IReadOnlyList<Run> RunMany(
        string fileClass, string strategyClass, ILanguageModel model, IReadOnlyDictionary<string, object> parameters, RunOptions options,
        CancellationToken cancellationToken = default, params object[] instances)
    {
        var strategy = Strategy(fileClass, strategyClass);
        var method = strategy.GetMethod("RunManyAsync")!;
        return Await(method.Invoke(null, Arguments(method, strategy, model, parameters, instances, options, cancellationToken)))
            .Cast<object>()
            .Select(Read)
            .ToList();
    }

    /// <summary>Calls the one-run <c>RunAsync(models, instances, Parameters, seed, token)</c>.</summary>
    public Run RunOnce(string fileClass, string strategyClass, ILanguageModel model, IReadOnlyDictionary<string, object> parameters, ulong seed, params object[] instances)
    {
        var strategy = Strategy(fileClass, strategyClass);
        var method = strategy.GetMethods().Single(m => m.Name == "RunAsync" && m.GetParameters().Any(p => p.ParameterType.Name == "Parameters"));
        var result = method.Invoke(null, Arguments(method, strategy, model, parameters, instances, seed, CancellationToken.None));
        return Read(Result((Task)result!));
    }

    private Type Strategy(string fileClass, string strategyClass) =>
        _assembly.GetType($"Tts.Generated.{fileClass}+{strategyClass}", throwOnError: true)!;

    private static object?[] Arguments(
        MethodInfo method, Type strategy, ILanguageModel model, IReadOnlyDictionary<string, object> parameters, object[] instances, object options, CancellationToken token)
    {
        var record = Activator.CreateInstance(strategy.GetNestedType("Parameters")!)!;
        foreach (var (name, value) in parameters)
        {
            record.GetType().GetProperty(name)!.SetValue(record, value);
        }

        return method.GetParameters().Select(p => p.ParameterType switch
        {
            var t when t == typeof(ILanguageModel) => model,
            var t when t == typeof(CancellationToken) => token,
            var t when t.Name == "Parameters" => record,
            var t when t == options.GetType() => options,
            var t => instances.Single(t.IsInstanceOfType),
        }).ToArray();
    }

    private static IEnumerable Await(object? task) => (IEnumerable)Result((Task)task!)!;

    private static object? Result(Task task)
    {
        task.GetAwaiter().GetResult();
        return task.GetType().GetProperty("Result")!.GetValue(task);
    }

    private static Run Read(object? result)
    {
        var type = result!.GetType();
        return new Run((int)type.GetProperty("Run")!.GetValue(result)!, type.GetProperty("Output")!.GetValue(result), ((Spent)type.GetProperty("Spent")!.GetValue(result)!) with { Seconds = 0 });
    }

    private sealed class FileText(string path) : AdditionalText
    {
        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(File.ReadAllText(path), Encoding.UTF8);
    }
}
