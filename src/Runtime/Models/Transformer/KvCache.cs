using TorchSharp;
using static TorchSharp.torch;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// Keys and values of every layer in two segments. The <b>prefix</b> holds each distinct prompt once,
/// <c>[prompts, kv_heads, prompt_len, head_dim]</c>, written by the one prefill; rows never copy it, they attend to
/// their prompt's entry. The <b>suffix</b> holds each row's generated tokens, <c>[rows, kv_heads, capacity,
/// head_dim]</c>, preallocated and written in place at the row's own length (per-row positions: no left padding;
/// a row's position is its prompt length plus its suffix length). Reorder (resample, prune, fork) gathers only
/// the suffix and the row → prompt map, so its cost grows with generated tokens, not with the prompt.
/// <para>
/// The suffix is allocated at the first decode step, not at <c>Start</c>: at 64 rows it is over 100 MB for a
/// 100M-parameter model, and allocating (and zero-filling) it at start made prefill grow with the number of rows.
/// Keys are left uninitialized: positions past a row's length are masked to −∞ before the softmax, which replaces
/// whatever garbage (even NaN) the score held. Values are zero-filled past what was written: a masked position's
/// weight is exactly 0, and 0 × NaN would still be NaN, so they must be finite.
/// </para>
/// </summary>
internal sealed class KvCache : IDisposable
{
    /// <summary>Suffix positions allocated at first; the capacity doubles when a row reaches it.</summary>
    private const int InitialSuffixCapacity = 16;

    private readonly TransformerConfig _config;
    private readonly Device _device;
    private readonly ScalarType _dtype;
    private readonly long _maxBytes;
    private readonly Tensor[] _prefixKeys;
    private readonly Tensor[] _prefixValues;
    private readonly Tensor?[] _suffixKeys;
    private readonly Tensor?[] _suffixValues;

    public KvCache(TransformerConfig config, Device device, ScalarType dtype, long maxBytes, int[] promptLengths, int[] promptOfRow)
    {
        _config = config;
        _device = device;
        _dtype = dtype;
        _maxBytes = maxBytes;
        PromptLengths = promptLengths;
        PromptOfRow = promptOfRow;
        SuffixLengths = new int[promptOfRow.Length];
        _prefixKeys = new Tensor[config.LayerCount];
        _prefixValues = new Tensor[config.LayerCount];
        _suffixKeys = new Tensor?[config.LayerCount];
        _suffixValues = new Tensor?[config.LayerCount];

        // Check the prefix and the first suffix together before any of it is allocated, so that a population too
        // large is refused at start, before the prefill runs, rather than at its first decode step.
        CheckBudget(promptLengths.Length, promptLengths.Max(), promptOfRow.Length, InitialSuffixCapacity);
        Groups = GroupRowsByPrompt();
    }

    public int Rows => PromptOfRow.Length;

    public int[] PromptLengths { get; }

    public int[] PromptOfRow { get; private set; }

    /// <summary>Generated tokens written into the suffix, per row.</summary>
    public int[] SuffixLengths { get; private set; }

    /// <summary>Positions allocated per row in the suffix; 0 until the first decode step allocates it.</summary>
    public int SuffixCapacity { get; private set; }

    /// <summary>The rows continuing each prompt that has rows; <c>RowIndices</c> is null when a group is every row.</summary>
    public IReadOnlyList<PromptGroup> Groups { get; private set; }

    public Tensor PrefixKeys(int layer) => _prefixKeys[layer];

    public Tensor PrefixValues(int layer) => _prefixValues[layer];

    /// <summary>One layer's suffix keys; only after <see cref="EnsureSuffixCapacity"/> has allocated them.</summary>
    public Tensor SuffixKeys(int layer) => _suffixKeys[layer] ?? throw SuffixNotAllocated();

    /// <summary>One layer's suffix values; only after <see cref="EnsureSuffixCapacity"/> has allocated them.</summary>
    public Tensor SuffixValues(int layer) => _suffixValues[layer] ?? throw SuffixNotAllocated();

    /// <summary>Takes ownership of one layer's prompt keys and values <c>[prompts, kv_heads, longest_prompt, head_dim]</c>.</summary>
    public void SetPrefix(int layer, Tensor keys, Tensor values)
    {
        _prefixKeys[layer] = keys.contiguous().DetachFromDisposeScope();
        _prefixValues[layer] = values.contiguous().DetachFromDisposeScope();
    }

    /// <summary>Bytes the cache would take for these sizes, in the compute dtype.</summary>
    public static long BytesFor(TransformerConfig config, ScalarType dtype, long prompts, long longestPrompt, long rows, long suffixCapacity)
    {
        var perPosition = 2L * config.LayerCount * config.KeyValueHeadCount * config.HeadDim * ElementSize(dtype);
        return perPosition * (prompts * longestPrompt + rows * suffixCapacity);
    }

    /// <summary>
    /// Allocates every layer's suffix at the first call, then grows it (doubling) so that each row can write
    /// <paramref name="positions"/> tokens.
    /// </summary>
    public void EnsureSuffixCapacity(int positions)
    {
        if (positions <= SuffixCapacity)
        {
            return;
        }

        var capacity = Math.Max(SuffixCapacity, InitialSuffixCapacity);
        while (capacity < positions)
        {
            capacity *= 2;
        }

        // During a copy both the old and the new suffix exist.
        CheckBudget(PromptLengths.Length, PromptLengths.Max(), Rows, SuffixCapacity + capacity);
        for (var layer = 0; layer < _config.LayerCount; layer++)
        {
            _suffixKeys[layer] = Grow(_suffixKeys[layer], capacity, zeroTail: false);
            _suffixValues[layer] = Grow(_suffixValues[layer], capacity, zeroTail: true);
        }

        SuffixCapacity = capacity;
    }

    /// <summary>New row i is old row <paramref name="rowIndices"/>[i]: one index_select per layer on the suffix.</summary>
    public void Reorder(long[] rowIndices, Tensor rowIndexTensor)
    {
        // Old and new suffixes coexist until the old one is disposed.
        CheckBudget(PromptLengths.Length, PromptLengths.Max(), Rows + rowIndices.Length, SuffixCapacity);
        for (var layer = 0; layer < _config.LayerCount; layer++)
        {
            _suffixKeys[layer] = Gather(_suffixKeys[layer], rowIndexTensor);
            _suffixValues[layer] = Gather(_suffixValues[layer], rowIndexTensor);
        }

        PromptOfRow = Array.ConvertAll(rowIndices, i => PromptOfRow[i]);
        SuffixLengths = Array.ConvertAll(rowIndices, i => SuffixLengths[i]);
        DisposeGroups();
        Groups = GroupRowsByPrompt();
    }

    public void Dispose()
    {
        foreach (var tensor in _prefixKeys.Concat(_prefixValues).Concat(_suffixKeys).Concat(_suffixValues))
        {
            tensor?.Dispose();
        }

        DisposeGroups();
    }

    private void CheckBudget(long prompts, long longestPrompt, long rows, long suffixCapacity)
    {
        var bytes = BytesFor(_config, _dtype, prompts, longestPrompt, rows, suffixCapacity);
        if (bytes > _maxBytes)
        {
            throw new ModelException(
                $"the KV cache for {rows} rows ({prompts} prompt{(prompts == 1 ? "" : "s")} of up to {longestPrompt} tokens, "
                + $"{suffixCapacity} generated positions per row) needs {FormatBytes(bytes)}, above the limit of {FormatBytes(_maxBytes)} "
                + "(TransformerOptions.MaxKvCacheBytes): use fewer particles or shorter texts, or raise the limit");
        }
    }

    private static string FormatBytes(long bytes) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.###} GiB");

    private static int ElementSize(ScalarType dtype) => dtype is ScalarType.Float32 ? 4 : dtype is ScalarType.Float64 ? 8 : 2;

    private static InvalidOperationException SuffixNotAllocated() =>
        new("The suffix is allocated by EnsureSuffixCapacity at the first decode step.");

    /// <summary>
    /// A suffix of <paramref name="capacity"/> positions holding <paramref name="suffix"/>'s (none when it is null);
    /// the positions after them are zero-filled only when <paramref name="zeroTail"/> (values), else left as they
    /// come (keys: masked before the softmax). Disposes the old suffix.
    /// </summary>
    private Tensor Grow(Tensor? suffix, int capacity, bool zeroTail)
    {
        using var old = suffix;
        var grown = torch.empty([Rows, _config.KeyValueHeadCount, capacity, _config.HeadDim], _dtype, _device).DetachFromDisposeScope();
        var kept = suffix?.shape[2] ?? 0;
        if (suffix is not null)
        {
            using var head = grown.narrow(2, 0, kept);
            head.copy_(suffix);
        }

        if (zeroTail)
        {
            using var tail = grown.narrow(2, kept, capacity - kept);
            tail.zero_();
        }

        return grown;
    }

    private static Tensor? Gather(Tensor? suffix, Tensor rowIndices)
    {
        using var old = suffix;
        return suffix?.index_select(0, rowIndices).DetachFromDisposeScope();
    }

    private List<PromptGroup> GroupRowsByPrompt()
    {
        var groups = new List<PromptGroup>();
        for (var prompt = 0; prompt < PromptLengths.Length; prompt++)
        {
            var rows = Enumerable.Range(0, Rows).Where(row => PromptOfRow[row] == prompt).Select(row => (long)row).ToArray();
            if (rows.Length == 0)
            {
                continue;
            }

            var indices = rows.Length == Rows ? null : torch.tensor(rows, device: _device).DetachFromDisposeScope();
            groups.Add(new PromptGroup(prompt, PromptLengths[prompt], rows.Length, indices));
        }

        return groups;
    }

    private void DisposeGroups()
    {
        foreach (var group in Groups)
        {
            group.RowIndices?.Dispose();
        }
    }
}

/// <summary>The rows that continue prompt <c>Prompt</c> (of <c>Length</c> tokens); <c>RowIndices</c> null means all rows.</summary>
internal sealed record PromptGroup(int Prompt, int Length, int RowCount, Tensor? RowIndices);
