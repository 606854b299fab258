using System.Globalization;
using Tts.Runtime.Models;

namespace Tts.Engines.Gguf.Engine;

/// <summary>
/// What follows <c>gguf:</c> on the command line: a file and its llama.cpp options as a query, e.g.
/// <c>/tmp/policy.gguf?threads=2&amp;exact_attention=1&amp;sequences=128</c>. Keys: <c>threads</c>, <c>sequences</c>
/// (per context), <c>context</c> (KV cells per context), <c>gpu_layers</c>, <c>exact_attention</c> (0 or 1:
/// <see cref="GgufOptions.FullPrecisionAttention"/>), <c>kv_cache_gb</c> (the memory budget of all contexts). Unknown
/// or repeated keys are errors. A file name containing '?' cannot be given this way.
/// </summary>
public sealed record GgufSpec(string Path, GgufOptions Options)
{
    public const string Syntax = "FILE[?threads=N&sequences=N&context=N&gpu_layers=N&exact_attention=0|1&kv_cache_gb=G]";

    private static readonly string[] Keys = ["threads", "sequences", "context", "gpu_layers", "exact_attention", "kv_cache_gb"];

    /// <exception cref="ModelException">An option is malformed, unknown, repeated or out of range.</exception>
    public static GgufSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var question = text.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? text : text[..question];
        if (path.Length == 0)
        {
            throw new ModelException($"gguf:{text}: no file before the options (write gguf:{Syntax})");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (question >= 0)
        {
            foreach (var pair in text[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = equals < 0 ? pair : pair[..equals];
                if (!Keys.Contains(name))
                {
                    throw new ModelException($"gguf:{text}: unknown option '{name}' (known: {string.Join(", ", Keys)})");
                }

                if (equals < 0 || !values.TryAdd(name, pair[(equals + 1)..]))
                {
                    throw new ModelException($"gguf:{text}: option '{name}' must be given once as NAME=VALUE (write gguf:{Syntax})");
                }
            }
        }

        var defaults = new GgufOptions();
        var options = new GgufOptions
        {
            Threads = values.ContainsKey("threads") ? (int)Number(values, "threads", 1, 1024, text) : null,
            Sequences = values.ContainsKey("sequences") ? (int)Number(values, "sequences", 1, GgufModel.MaxSequencesPerContext, text) : defaults.Sequences,
            ContextTokens = values.ContainsKey("context") ? (int)Number(values, "context", 16, 1 << 24, text) : null,
            GpuLayers = values.ContainsKey("gpu_layers") ? (int)Number(values, "gpu_layers", 0, 100_000, text) : defaults.GpuLayers,
            FullPrecisionAttention = values.ContainsKey("exact_attention") && Number(values, "exact_attention", 0, 1, text) == 1,
            MaxKvCacheBytes = values.ContainsKey("kv_cache_gb") ? (long)(Number(values, "kv_cache_gb", 0.001, 1 << 20, text, whole: false) * 1e9) : null,
        };
        return new GgufSpec(path, options);
    }

    private static double Number(Dictionary<string, string> values, string name, double min, double max, string text, bool whole = true)
    {
        var value = values[name];
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !(number >= min && number <= max)
            || (whole && number != Math.Floor(number)))
        {
            throw new ModelException(string.Create(CultureInfo.InvariantCulture,
                $"gguf:{text}: {name}={value} must be a {(whole ? "whole number" : "number")} from {min} to {max}"));
        }

        return number;
    }
}
