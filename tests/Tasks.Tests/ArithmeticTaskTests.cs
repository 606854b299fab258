using Tts.Tasks.Arithmetic;

namespace Tts.Tasks.Tests;

public sealed class ArithmeticTaskTests
{
    private static ArithmeticProblem Example() => new([37, 48, 2, 15], ['+', '*', '-'], level: 3);

    [Fact]
    public void The_canonical_solution_does_the_product_first_then_left_to_right()
    {
        var problem = Example();
        Assert.Equal("37+48*2-15", problem.Expression);
        Assert.Equal("Q: 37+48*2-15=?\n", problem.Prompt);
        Assert.Equal("48*2=96\n37+96=133\n133-15=118\nA: 118", problem.Solution);
        Assert.Equal(118, problem.Answer);
    }

    [Fact]
    public void Subtraction_is_left_associative_and_intermediates_may_be_negative()
    {
        var problem = new ArithmeticProblem([3, 10, 4], ['-', '+'], level: 2);
        Assert.Equal("3-10=-7\n-7+4=-3\nA: -3", problem.Solution);
        Assert.True(ArithmeticChecker.CheckSteps(problem, problem.Solution).All(v => v));
    }

    [Fact]
    public void Every_generated_canonical_solution_passes_both_checkers_and_evaluates_the_expression()
    {
        foreach (var problem in ArithmeticTask.Problems(TaskSplit.Train, 400, seed: 3))
        {
            Assert.True(ArithmeticChecker.IsCorrect(problem, problem.Solution));
            var verdicts = ArithmeticChecker.CheckSteps(problem, problem.Solution);
            Assert.Equal(problem.Level + 1, verdicts.Count);
            Assert.All(verdicts, Assert.True);
            Assert.Equal(Evaluate(problem), problem.Answer);
        }
    }

    [Fact]
    public void A_wrong_step_is_flagged_and_so_is_every_line_after_it()
    {
        var problem = Example();
        var verdicts = ArithmeticChecker.CheckSteps(problem, "48*2=96\n37+96=134\n134-15=119\nA: 119");
        Assert.Equal([true, false, false, false], verdicts);
        Assert.False(ArithmeticChecker.IsCorrect(problem, "48*2=96\n37+96=134\n134-15=119\nA: 119"));
    }

    [Fact]
    public void A_step_out_of_canonical_order_is_wrong_even_when_its_arithmetic_is_right()
    {
        var verdicts = ArithmeticChecker.CheckSteps(Example(), "37+48=85\n");
        Assert.Equal([false], verdicts);
    }

    [Fact]
    public void Partial_solutions_are_judged_line_by_line_and_a_trailing_newline_adds_no_line()
    {
        var problem = Example();
        Assert.Equal([true, true], ArithmeticChecker.CheckSteps(problem, "48*2=96\n37+96=133\n"));
        Assert.Equal([true], ArithmeticChecker.CheckSteps(problem, "48*2=96"));
        Assert.Empty(ArithmeticChecker.CheckSteps(problem, ""));
        Assert.True(ArithmeticChecker.IsOnTrack(problem, "48*2=96\n37+96=133"));
    }

    [Fact]
    public void Lines_after_the_answer_line_are_wrong()
    {
        var problem = new ArithmeticProblem([2, 3], ['+'], level: 1);
        Assert.Equal([true, true, false], ArithmeticChecker.CheckSteps(problem, "2+3=5\nA: 5\nA: 5"));
    }

    [Theory]
    [InlineData("A: 118", 118L)]
    [InlineData("1+2=3\nA: -7\n", -7L)]
    [InlineData("A: 1\nA: 2", 2L)]
    [InlineData("the answer is 118", null)]
    [InlineData("A: 11x", null)]
    [InlineData("", null)]
    public void The_answer_is_the_integer_of_the_last_answer_line(string text, long? expected) =>
        Assert.Equal(expected, ArithmeticChecker.ExtractAnswer(text));

    [Fact]
    public void The_same_seed_gives_the_same_problems_and_levels_cycle()
    {
        var first = ArithmeticTask.Problems(TaskSplit.Test, 40, seed: 11).Select(p => p.Expression).ToList();
        var again = ArithmeticTask.Problems(TaskSplit.Test, 40, seed: 11).Select(p => p.Expression).ToList();
        Assert.Equal(first, again);
        Assert.NotEqual(first, ArithmeticTask.Problems(TaskSplit.Test, 40, seed: 12).Select(p => p.Expression).ToList());
        Assert.Equal(
            Enumerable.Range(0, 40).Select(i => 1 + i % 4),
            ArithmeticTask.Problems(TaskSplit.Test, 40, seed: 11).Select(p => p.Level));
    }

    [Fact]
    public void Train_and_test_splits_share_no_expression()
    {
        var train = ArithmeticTask.Problems(TaskSplit.Train, 5000, seed: 1).Select(p => p.Expression).ToHashSet();
        var test = ArithmeticTask.Problems(TaskSplit.Test, 1000, seed: 2).Select(p => p.Expression).ToHashSet();
        Assert.Empty(train.Intersect(test));
        Assert.All(test, e => Assert.Equal(TaskSplit.Test, ArithmeticTask.SplitOf(e)));
    }

    [Fact]
    public void Generated_problems_keep_to_the_stated_ranges_and_alphabet()
    {
        foreach (var problem in ArithmeticTask.Problems(TaskSplit.Train, 2000, seed: 5))
        {
            for (var i = 0; i < problem.Operators.Count; i++)
            {
                var right = problem.Numbers[i + 1];
                Assert.InRange(right, problem.Operators[i] == '*' ? 2 : 1, problem.Operators[i] == '*' ? 9 : 20);
                Assert.False(i > 0 && problem.Operators[i] == '*' && problem.Operators[i - 1] == '*');
            }

            Assert.InRange(problem.Numbers[0], 1, 20);
            Assert.All(problem.Prompt + problem.Solution, c => Assert.Contains(c, ArithmeticTask.Alphabet));
        }
    }

    /// <summary>An independent evaluator: products first (left to right), then sums and differences left to right.</summary>
    private static long Evaluate(ArithmeticProblem problem)
    {
        var terms = new List<long> { problem.Numbers[0] };
        var signs = new List<char>();
        for (var i = 0; i < problem.Operators.Count; i++)
        {
            if (problem.Operators[i] == '*')
            {
                terms[^1] *= problem.Numbers[i + 1];
            }
            else
            {
                signs.Add(problem.Operators[i]);
                terms.Add(problem.Numbers[i + 1]);
            }
        }

        var value = terms[0];
        for (var i = 0; i < signs.Count; i++)
        {
            value = signs[i] == '+' ? value + terms[i + 1] : value - terms[i + 1];
        }

        return value;
    }
}
