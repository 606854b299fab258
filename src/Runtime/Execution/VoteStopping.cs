namespace Tts.Runtime.Execution;

/// <summary>
/// When a majority vote is decided before all its draws are in (adaptive consistency, Aggarwal et al. 2023, with the
/// deterministic stopping rule): the vote's winner is the key with the most votes, ties to the key seen first; with
/// <c>remaining</c> draws still to come, the leader L is certain to win iff for every other key B seen so far
/// c_L &gt; c_B + remaining, or c_L = c_B + remaining and L was seen before B, and, for keys not yet seen (which would
/// be seen after L), c_L ≥ remaining.
/// </summary>
public static class VoteStopping
{
    /// <summary>The winner of the votes cast so far (most votes, ties to the key seen first), or null when none.</summary>
    public static object? Leader(IReadOnlyList<object> votesInOrder, out Dictionary<object, int> counts, out List<object> firstSeen)
    {
        ArgumentNullException.ThrowIfNull(votesInOrder);
        counts = new Dictionary<object, int>();
        firstSeen = new List<object>();
        foreach (var vote in votesInOrder)
        {
            if (!counts.TryGetValue(vote, out var c))
            {
                firstSeen.Add(vote);
            }

            counts[vote] = c + 1;
        }

        object? leader = null;
        foreach (var key in firstSeen)
        {
            if (leader is null || counts[key] > counts[leader])
            {
                leader = key;
            }
        }

        return leader;
    }

    /// <summary>Whether no outcome of <paramref name="remaining"/> more draws can change the winner.</summary>
    public static bool IsDecided(IReadOnlyList<object> votesInOrder, int remaining)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(remaining);
        if (remaining == 0)
        {
            return true;
        }

        if (Leader(votesInOrder, out var counts, out var firstSeen) is not { } leader)
        {
            return false;
        }

        var lead = counts[leader];
        var leaderRank = firstSeen.IndexOf(leader);
        for (var rank = 0; rank < firstSeen.Count; rank++)
        {
            var other = firstSeen[rank];
            if (rank == leaderRank)
            {
                continue;
            }

            var best = counts[other] + remaining;
            if (lead < best || (lead == best && rank < leaderRank))
            {
                return false;
            }
        }

        // A key not seen yet could take every remaining draw; it would be seen after the leader, so a tie keeps the leader.
        return lead >= remaining;
    }
}
