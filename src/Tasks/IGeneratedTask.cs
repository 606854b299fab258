namespace Tts.Tasks;

/// <summary>
/// A task the project generates from a seed and checks exactly: what the trainers (`tts train --task`) and the
/// evaluations (`tts eval` / `tts tune --task NAME`) need of it. Problems are drawn per level (difficulty), from
/// disjoint train and test splits, and written with a small character alphabet (the models' vocabulary, besides EOS).
/// </summary>
public interface IGeneratedTask
{
    /// <summary>The task's name on the command line (<c>--task NAME</c>).</summary>
    string Name { get; }

    /// <summary>The characters every prompt and solution is written with.</summary>
    string Alphabet { get; }

    int MinLevel { get; }

    int MaxLevel { get; }

    /// <summary>The seed of the standard test set (what `tts eval --task NAME` scores).</summary>
    int TestSeed { get; }

    /// <summary>
    /// <paramref name="count"/> problems of <paramref name="split"/>, levels cycling through <paramref name="levels"/>
    /// (default: every level); the same seed gives the same problems on every machine.
    /// </summary>
    IReadOnlyList<IGeneratedProblem> Problems(TaskSplit split, int count, int seed, IReadOnlyList<int>? levels = null);

    /// <summary>The answer an output states: a whole solution, or a bare answer (a vote's key); "" when none.</summary>
    string ExtractAnswer(string output);
}

/// <summary>One generated problem with its canonical solution and exact checks.</summary>
public interface IGeneratedProblem
{
    /// <summary>What the model is given (ends with a newline).</summary>
    string Prompt { get; }

    /// <summary>The canonical solution: one line per step, then the answer line (no trailing newline).</summary>
    string Solution { get; }

    /// <summary>Difficulty (the number of steps of the canonical solution).</summary>
    int Level { get; }

    /// <summary>The canonical answer, as <see cref="IGeneratedTask.ExtractAnswer"/> reads it from <see cref="Solution"/>.</summary>
    string AnswerText { get; }

    /// <summary>Whether the answer stated by <paramref name="output"/> (a whole solution or a bare answer) is right.</summary>
    bool IsCorrect(string output);

    /// <summary>One verdict per line (a trailing newline ends the last line): true while the solution is still on track.</summary>
    IReadOnlyList<bool> CheckSteps(string solution);

    /// <summary>A hard negative for a reward model: the canonical solution cut after one line that is slightly wrong.</summary>
    string Corrupt(Random random);
}
