using Tts.Compiler.Driver;
using Tts.Language.Text;
using Tts.Runtime.Models.Tabular;
using Tts.TestSupport;
using Tts.TestSupport.Strategies;

namespace Tts.Testing.Tests;

/// <summary>Models and programs shared by the tests of the oracle and the property suite.</summary>
internal static class TestModels
{
    public static string AbcPath => RepoPaths.Combine("examples", "models", "abc.json");

    public static TabularModel Abc() => TabularModel.Load(AbcPath);

    public static Dictionary<string, TabularModel> Policy(TabularModel model) => new(StringComparer.Ordinal) { ["policy"] = model };

    public static Compilation Compile(string source) => TestPrograms.Compile(source);

    public static Compilation CompileExample(string name) => Compilation.Compile(RepoPaths.Combine("examples", "strategies", name));
}
