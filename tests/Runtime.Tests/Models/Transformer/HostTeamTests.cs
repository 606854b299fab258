using Tts.Runtime.Models.Transformer;

namespace Tts.Runtime.Tests.Models.Transformer;

/// <summary>
/// The spinning host team that runs the C# kernels' parallel loops. Not run beside other test classes: a loop of theirs
/// holding the team would send these to the <c>Parallel.For</c> fallback, and the team's own workers would go untested.
/// </summary>
[Collection(HostTeamCollection.Name)]
public sealed class HostTeamTests
{
    [Theory]
    [InlineData(2, 2)]
    [InlineData(7, 3)]
    [InlineData(1000, 2)]
    [InlineData(5, 8)] // more threads than items
    public void Runs_every_item_exactly_once(int items, int threads)
    {
        for (var round = 0; round < 50; round++)
        {
            var runs = new int[items];
            HostTeam.For(items, threads, item => Interlocked.Increment(ref runs[item]));
            Assert.All(runs, count => Assert.Equal(1, count));
        }
    }

    [Fact]
    public void Uses_more_than_the_calling_thread()
    {
        // Items that each wait for another thread to arrive, bounded in time: they meet only if a worker joins.
        using var second = new CountdownEvent(2);
        var met = false;
        HostTeam.For(2, 2, _ =>
        {
            second.Signal();
            met |= second.Wait(TimeSpan.FromSeconds(10));
        });
        Assert.True(met);
    }

    [Fact]
    public void A_failing_item_fails_the_loop_and_leaves_the_team_usable()
    {
        var error = Assert.Throws<AggregateException>(() => HostTeam.For(10, 2, item =>
        {
            if (item == 3)
            {
                throw new InvalidOperationException("item 3");
            }
        }));
        Assert.Equal("item 3", error.InnerException?.Message);

        var sum = 0;
        HostTeam.For(100, 2, item => Interlocked.Add(ref sum, item));
        Assert.Equal(4950, sum);
    }

    [Fact]
    public async Task A_loop_inside_an_item_and_loops_from_several_threads_all_finish()
    {
        var total = 0L;
        void Outer() => HostTeam.For(8, 2, _ => HostTeam.For(16, 2, item => Interlocked.Add(ref total, item)));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(Outer))).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(4L * 8 * 120, total);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostTeamCollection
{
    public const string Name = "host team";
}
