using Tts.Language.Binding.Guarantees;

namespace Tts.Testing.Checking;

/// <summary>
/// How a strategy is checked. <see cref="Alpha"/> is the false-failure rate of this check's statistical assertion
/// (split it from a suite's budget with <see cref="Statistics.AlphaBudget"/>); <see cref="Beta"/> the accepted chance
/// of missing a deviation of <see cref="SmallestDeviation"/> (total variation, in whichever direction is hardest to see),
/// which, when given, the run count must be large enough to catch. <see cref="Claim"/> overrides the
/// strategy's own guarantee (to ask whether a heuristic strategy is in fact exact); <see cref="Tolerance"/> is the
/// χ distance √Σ(q − p)²/p (≥ 2·TV) from the target a consistent strategy may keep at its particle count;
/// <see cref="MemoryLimit"/> the most bytes the runs may take (null: the memory available), as <c>RunOptions.MemoryLimitBytes</c>;
/// <see cref="Cancellation"/> stops the runs (<see cref="OperationCanceledException"/>).
/// </summary>
public sealed record CheckSettings(
    int Runs = 20_000,
    ulong Seed = 0,
    double Alpha = 1e-6,
    double Beta = 1e-3,
    double? SmallestDeviation = null,
    Guarantee? Claim = null,
    double Tolerance = 0.2,
    long? MemoryLimit = null,
    CancellationToken Cancellation = default);
