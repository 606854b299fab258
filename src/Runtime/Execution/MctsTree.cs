namespace Tts.Runtime.Execution;

/// <summary>
/// The statistics of one run's Monte Carlo tree search over steps (UCT, Kocsis &amp; Szepesvári 2006): node 0 is the
/// root (the spawned prompt); every other node is one extend step of its parent, valued by the search body's score.
/// A simulation descends from the root by <see cref="Select"/>, adds one child where a node has fewer than
/// <c>expand</c> children, and backs the child's score up the path (<see cref="Backup"/>). With a prior (PUCT, as in
/// AlphaZero, Silver et al. 2017), exploration is weighted by each child's prior among its live siblings. Pure
/// bookkeeping: the runtime does the decoding, so the selection rule can be tested on hand-built trees.
/// </summary>
public sealed class MctsTree
{
    private readonly List<int> _parent = [-1];
    private readonly List<List<int>> _children = [[]];
    private readonly List<long> _visits = [0];
    private readonly List<double> _valueSum = [0.0];
    private readonly List<bool> _terminal = [false];
    private readonly List<bool> _dead = [false];
    private readonly List<double> _score = [0.0];
    private readonly List<double> _logPrior = [0.0];

    public MctsTree(int expand, double explore, bool usePrior = false)
    {
        if (expand < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(expand), expand, "A node needs room for at least one child.");
        }

        if (!(explore >= 0.0) || double.IsInfinity(explore))
        {
            throw new ArgumentOutOfRangeException(nameof(explore), explore, "The exploration constant must be finite and at least 0.");
        }

        Expand = expand;
        Explore = explore;
        UsesPrior = usePrior;
    }

    /// <summary>PUCT (a prior weights exploration) rather than UCT.</summary>
    public bool UsesPrior { get; }

    /// <summary>Children a node gets before selection descends through it (progressive widening by sampling).</summary>
    public int Expand { get; }

    /// <summary>The exploration constant c of UCT.</summary>
    public double Explore { get; }

    public int Count => _parent.Count;

    public int Parent(int node) => _parent[node];

    public IReadOnlyList<int> Children(int node) => _children[node];

    public long Visits(int node) => _visits[node];

    /// <summary>Q: the mean of the values backed up through the node (0 before any).</summary>
    public double Value(int node) => _visits[node] == 0 ? 0.0 : _valueSum[node] / _visits[node];

    /// <summary>Whether the node can grow no further: its text ended (EOS), or a condition killed it.</summary>
    public bool IsTerminal(int node) => _terminal[node] || _dead[node];

    /// <summary>
    /// UCT of a child: Q(child) + c·sqrt(ln N(parent) / N(child)). Every child has been visited once (when it was added),
    /// so the ratio is defined.
    /// </summary>
    public double Uct(int child) =>
        Value(child) + (Explore == 0.0 ? 0.0 : Explore * Math.Sqrt(Math.Log(_visits[_parent[child]]) / _visits[child]));

    /// <summary>
    /// The prior of a live child: softmax of the log priors over its parent's live children (so it sums to 1 among them).
    /// </summary>
    public double Prior(int child)
    {
        var siblings = _children[_parent[child]].Where(c => !_dead[c]).ToList();
        var max = siblings.Max(c => _logPrior[c]);
        return Math.Exp(_logPrior[child] - max) / siblings.Sum(c => Math.Exp(_logPrior[c] - max));
    }

    /// <summary>PUCT of a live child: Q(child) + c·P(child)·sqrt(N(parent)) / (1 + N(child)).</summary>
    public double Puct(int child) =>
        Value(child) + Explore * Prior(child) * Math.Sqrt(_visits[_parent[child]]) / (1 + _visits[child]);

    /// <summary>
    /// One simulation's selection: from the root, stop at the first node that is terminal or has fewer than
    /// <see cref="Expand"/> children (then <c>Expanding</c> says whether to add a child to it), otherwise go to the live
    /// child with the largest UCT (PUCT with a prior; ties to the earlier child). A node whose children are all dead is treated as terminal.
    /// </summary>
    public (int Node, bool Expanding) Select()
    {
        var node = 0;
        while (true)
        {
            if (IsTerminal(node))
            {
                return (node, false);
            }

            var children = _children[node];
            if (children.Count < Expand)
            {
                return (node, true);
            }

            var best = -1;
            var bestUct = double.NegativeInfinity;
            foreach (var child in children)
            {
                if (_dead[child])
                {
                    continue;
                }

                var uct = UsesPrior ? Puct(child) : Uct(child);
                if (best < 0 || uct > bestUct)
                {
                    (best, bestUct) = (child, uct);
                }
            }

            if (best < 0)
            {
                return (node, false);
            }

            node = best;
        }
    }

    /// <summary>
    /// A new child of <paramref name="parent"/>, with its score, whether it ended, whether it is dead and its log prior (an
    /// unnormalized log probability; only PUCT reads it); not yet backed up.
    /// </summary>
    public int AddChild(int parent, double score, bool ended, bool dead, double logPrior = 0.0)
    {
        if (UsesPrior && !dead && !double.IsFinite(logPrior))
        {
            throw new ArgumentOutOfRangeException(nameof(logPrior), logPrior, "A live child's log prior must be finite.");
        }

        if (_children[parent].Count >= Expand || IsTerminal(parent))
        {
            throw new InvalidOperationException($"node {parent} cannot take another child");
        }

        var node = _parent.Count;
        _parent.Add(parent);
        _children.Add([]);
        _children[parent].Add(node);
        _visits.Add(0);
        _valueSum.Add(0.0);
        _terminal.Add(ended);
        _dead.Add(dead);
        _score.Add(score);
        _logPrior.Add(logPrior);
        return node;
    }

    /// <summary>The value a simulation that ends at <paramref name="node"/> backs up: its score (a dead node's is never backed up).</summary>
    public double Score(int node) => _score[node];

    /// <summary>Adds <paramref name="value"/> to the visits and value sums of the node and every ancestor up to the root.</summary>
    public void Backup(int node, double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A backed-up value must be finite.");
        }

        for (var n = node; n >= 0; n = _parent[n])
        {
            _visits[n]++;
            _valueSum[n] += value;
        }
    }
}
