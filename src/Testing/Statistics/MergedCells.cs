namespace Tts.Testing.Statistics;

/// <summary>Cells after <see cref="ChiSquare.MergeSmallCells"/>: the kept cells in their order, then the "rest" cell if any.</summary>
public sealed record MergedCells(IReadOnlyList<long> Observed, IReadOnlyList<double> Probabilities);
