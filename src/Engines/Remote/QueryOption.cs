namespace Tts.Engines.Remote;

/// <summary>Options of a binding that are not the endpoint's own (a judge's template, a reward's step separator), taken out of its URL before the endpoint parses the rest.</summary>
internal static class QueryOption
{
    /// <summary>Removes NAME=VALUE from the query of <paramref name="spec"/> and returns the decoded value.</summary>
    public static string? Take(ref string spec, string name)
    {
        var hash = spec.IndexOf('#', StringComparison.Ordinal);
        var fragment = hash < 0 ? "" : spec[hash..];
        var head = hash < 0 ? spec : spec[..hash];
        var question = head.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return null;
        }

        string? value = null;
        var kept = new List<string>();
        foreach (var pair in head[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair.StartsWith(name + "=", StringComparison.Ordinal))
            {
                value = Uri.UnescapeDataString(pair[(name.Length + 1)..]);
            }
            else
            {
                kept.Add(pair);
            }
        }

        spec = head[..question] + (kept.Count == 0 ? "" : "?" + string.Join('&', kept)) + fragment;
        return value;
    }
}
