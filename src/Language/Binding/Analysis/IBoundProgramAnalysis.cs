using Tts.Language.Binding.BoundTree;

namespace Tts.Language.Binding.Analysis;

/// <summary>
/// One pass over the bound program after binding (see <see cref="SemanticAnalysis"/>): it reads the tree, reports
/// into the diagnostic bag, and returns the program with whatever it infers filled in (or the program as it was).
/// </summary>
internal interface IBoundProgramAnalysis
{
    BoundProgram Analyze(BoundProgram program, AnalysisContext context);
}
