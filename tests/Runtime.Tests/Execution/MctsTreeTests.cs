using Tts.Runtime.Execution;

namespace Tts.Runtime.Tests.Execution;

/// <summary>The UCT selection and backup of <see cref="MctsTree"/> on trees traced by hand (numbers in the comments).</summary>
public sealed class MctsTreeTests
{
    [Fact]
    public void Uct_selection_and_backup_on_a_hand_traced_tree()
    {
        var tree = new MctsTree(expand: 2, explore: 1.0);

        // The root has room for children: expand it twice, with values 0.5 and 0.2.
        Assert.Equal((0, true), tree.Select());
        var a = tree.AddChild(0, 0.5, ended: false, dead: false);
        tree.Backup(a, 0.5);
        Assert.Equal((0, true), tree.Select());
        var b = tree.AddChild(0, 0.2, ended: false, dead: false);
        tree.Backup(b, 0.2);
        Assert.Equal((2L, 0.35), (tree.Visits(0), tree.Value(0)));

        // Root full, N = 2: UCT(a) = 0.5 + sqrt(ln 2 / 1) = 1.33258, UCT(b) = 0.2 + 0.83255 = 1.03255: a, which has room.
        Assert.Equal(0.5 + Math.Sqrt(Math.Log(2)), tree.Uct(a), 12);
        Assert.Equal((a, true), tree.Select());
        var c = tree.AddChild(a, 0.9, ended: false, dead: false);
        tree.Backup(c, 0.9);
        Assert.Equal((2L, 0.7), (tree.Visits(a), tree.Value(a)));
        Assert.Equal(3L, tree.Visits(0));

        // N = 3: UCT(a) = 0.7 + sqrt(ln 3 / 2) = 1.44117, UCT(b) = 0.2 + sqrt(ln 3) = 1.24814: a again; it gets an ended child valued 0.1.
        Assert.Equal(0.7 + Math.Sqrt(Math.Log(3) / 2), tree.Uct(a), 12);
        Assert.Equal((a, true), tree.Select());
        var d = tree.AddChild(a, 0.1, ended: true, dead: false);
        tree.Backup(d, 0.1);

        // N = 4: Q(a) = 1.5 / 3 = 0.5, UCT(a) = 0.5 + sqrt(ln 4 / 3) = 1.17978 < UCT(b) = 0.2 + sqrt(ln 4) = 1.37741:
        // exploration overturns the better mean, and b (one child of two) is expanded.
        Assert.Equal(0.5 + Math.Sqrt(Math.Log(4) / 3), tree.Uct(a), 12);
        Assert.Equal(0.2 + Math.Sqrt(Math.Log(4)), tree.Uct(b), 12);
        Assert.Equal((b, true), tree.Select());

        // Two dead children (a false condition) are never backed up; b is then full with no live child: treated as terminal.
        tree.AddChild(b, 0.0, ended: false, dead: true);
        Assert.Equal((b, true), tree.Select());
        tree.AddChild(b, 0.0, ended: false, dead: true);
        Assert.Equal((b, false), tree.Select());
        Assert.Equal(4L, tree.Visits(0));
        Assert.Equal(new[] { c, d }, tree.Children(a));
    }

    [Fact]
    public void A_terminal_leaf_is_selected_again_and_explore_zero_is_greedy()
    {
        var tree = new MctsTree(expand: 2, explore: 0.0);
        var a = tree.AddChild(0, 0.4, ended: true, dead: false);
        tree.Backup(a, 0.4);
        var b = tree.AddChild(0, 0.6, ended: false, dead: false);
        tree.Backup(b, 0.6);

        // Greedy: Q(b) = 0.6 > Q(a) = 0.4, and b has room.
        Assert.Equal((b, true), tree.Select());
        var c = tree.AddChild(b, 0.0, ended: true, dead: false);
        tree.Backup(c, 0.0);
        var e = tree.AddChild(b, 0.1, ended: true, dead: false);
        tree.Backup(e, 0.1);

        // Q(b) = (0.6 + 0 + 0.1) / 3 = 0.2333 < Q(a) = 0.4: the ended leaf a is selected, with nothing to expand.
        Assert.Equal(0.7 / 3, tree.Value(b), 12);
        Assert.Equal((a, false), tree.Select());
    }

    [Fact]
    public void Puct_weights_exploration_by_the_prior_on_a_hand_traced_tree()
    {
        // Root children a (value 0.9, prior 0.1) and b (value 0.5, prior 0.9), explore 2, N(root) = 2.
        var tree = new MctsTree(expand: 2, explore: 2.0, usePrior: true);
        var a = tree.AddChild(0, 0.9, ended: false, dead: false, logPrior: Math.Log(0.1));
        tree.Backup(a, 0.9);
        var b = tree.AddChild(0, 0.5, ended: false, dead: false, logPrior: Math.Log(0.9));
        tree.Backup(b, 0.5);
        Assert.Equal(0.1, tree.Prior(a), 12);

        // PUCT(a) = 0.9 + 2·0.1·sqrt(2)/2 = 1.041421, PUCT(b) = 0.5 + 2·0.9·sqrt(2)/2 = 1.772792: the prior picks b,
        // where UCT (0.9 + 2·sqrt(ln 2) against 0.5 + 2·sqrt(ln 2)) would pick a.
        Assert.Equal(0.9 + 0.1 * Math.Sqrt(2), tree.Puct(a), 12);
        Assert.Equal(0.5 + 0.9 * Math.Sqrt(2), tree.Puct(b), 12);
        Assert.True(tree.Uct(a) > tree.Uct(b));
        Assert.Equal((b, true), tree.Select());
        tree.Backup(tree.AddChild(b, 0.0, ended: false, dead: false, logPrior: 0.0), 0.0);

        // N(root) = 3, Q(b) = 0.25: PUCT(a) = 0.9 + 0.2·sqrt(3)/2 = 1.073205, PUCT(b) = 0.25 + 1.8·sqrt(3)/3 = 1.289230: b again.
        Assert.Equal(0.25 + 1.8 * Math.Sqrt(3) / 3, tree.Puct(b), 12);
        Assert.Equal((b, true), tree.Select());
        tree.Backup(tree.AddChild(b, 0.0, ended: false, dead: false, logPrior: 0.0), 0.0);

        // N(root) = 4, Q(b) = 1/6: PUCT(a) = 0.9 + 0.2·2/2 = 1.1 > PUCT(b) = 1/6 + 1.8·2/4 = 1.066667: the value wins back.
        Assert.Equal(1.1, tree.Puct(a), 12);
        Assert.Equal(1.0 / 6 + 0.9, tree.Puct(b), 12);
        Assert.Equal((a, true), tree.Select());

        // A dead sibling takes no share of the prior.
        var dead = tree.AddChild(a, 0.0, ended: false, dead: true, logPrior: Math.Log(0.5));
        var live = tree.AddChild(a, 0.7, ended: false, dead: false, logPrior: Math.Log(0.01));
        tree.Backup(live, 0.7);
        Assert.Equal(1.0, tree.Prior(live), 12);
        Assert.Equal(new[] { dead, live }, tree.Children(a));
    }

    [Fact]
    public void Ties_go_to_the_earlier_child_and_bad_arguments_throw()
    {
        var tree = new MctsTree(expand: 2, explore: 1.0);
        tree.Backup(tree.AddChild(0, 0.3, ended: false, dead: false), 0.3);
        tree.Backup(tree.AddChild(0, 0.3, ended: false, dead: false), 0.3);
        Assert.Equal((1, true), tree.Select());
        Assert.Throws<InvalidOperationException>(() => tree.AddChild(0, 0.1, ended: false, dead: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.Backup(1, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MctsTree(0, 1.0));
    }
}
