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
    private readonly (Tensor KeysT, Tensor Values)?[] _promptViews;

    /// <summary>Names the prefix this cache reads: shared with its <see cref="CopyRows"/> copies, which view the same prompts.</summary>
    private object _prefixIdentity = new();

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
        _promptViews = new (Tensor, Tensor)?[config.LayerCount * promptLengths.Length];

        // Check the prefix and the first suffix together before any of it is allocated, so that a population too
        // large is refused at start, before the prefill runs, rather than at its first decode step.
        CheckBudget(promptLengths.Length, promptLengths.Max(), promptOfRow.Length, InitialSuffixCapacity);
        Groups = GroupRowsByPrompt();
    }

    /// <summary>
    /// The rows of <paramref name="first"/> then those of <paramref name="second"/>: the prompts of both (the
    /// second's renumbered after the first's, padded to the longer prompt) and the suffixes joined along rows,
    /// padded to the larger capacity. The inputs are left as they are.
    /// </summary>
    public static KvCache Concat(KvCache first, KvCache second)
    {
        var promptLengths = first.PromptLengths.Concat(second.PromptLengths).ToArray();
        var promptOfRow = first.PromptOfRow.Concat(second.PromptOfRow.Select(p => p + first.PromptLengths.Length)).ToArray();
        var cache = new KvCache(first._config, first._device, first._dtype, first._maxBytes, promptLengths, promptOfRow);
        try
        {
            var capacity = Math.Max(first.SuffixCapacity, second.SuffixCapacity);
            cache.CheckBudget(promptLengths.Length, promptLengths.Max(), cache.Rows, capacity);
            var longestPrompt = promptLengths.Max();
            for (var layer = 0; layer < first._config.LayerCount; layer++)
            {
                cache._prefixKeys[layer] = cache.Joined(first._prefixKeys[layer], second._prefixKeys[layer], promptLengths.Length, longestPrompt, zeroFill: false);
                cache._prefixValues[layer] = cache.Joined(first._prefixValues[layer], second._prefixValues[layer], promptLengths.Length, longestPrompt, zeroFill: false);

                // While neither part has decoded, the suffix stays unallocated, as at Start.
                if (capacity > 0)
                {
                    cache._suffixKeys[layer] = cache.Joined(first._suffixKeys[layer], second._suffixKeys[layer], cache.Rows, capacity, zeroFill: false);
                    cache._suffixValues[layer] = cache.Joined(first._suffixValues[layer], second._suffixValues[layer], cache.Rows, capacity, zeroFill: true);
                }
            }

            cache.SuffixCapacity = capacity;
            cache.SuffixLengths = [.. first.SuffixLengths, .. second.SuffixLengths];
            return cache;
        }
        catch
        {
            cache.Dispose();
            throw;
        }
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

    /// <summary>
    /// One prompt's keys, transposed, <c>[kv_heads, head_dim, length]</c>, and values <c>[kv_heads, length, head_dim]</c>
    /// in one layer: views of the prefix, made at the first call and kept (a decode step asks for them in every layer).
    /// </summary>
    public (Tensor KeysT, Tensor Values) PromptView(int layer, int prompt)
    {
        ref var view = ref _promptViews[layer * PromptLengths.Length + prompt];
        if (view is null)
        {
            using var scope = torch.NewDisposeScope();
            var length = PromptLengths[prompt];
            view = (_prefixKeys[layer][prompt].narrow(1, 0, length).transpose(1, 2).DetachFromDisposeScope(),
                _prefixValues[layer][prompt].narrow(1, 0, length).DetachFromDisposeScope());
        }

        return view.Value;
    }

    /// <summary>One layer's suffix keys; only after <see cref="EnsureSuffixCapacity"/> has allocated them.</summary>
    public Tensor SuffixKeys(int layer) => _suffixKeys[layer] ?? throw SuffixNotAllocated();

    /// <summary>One layer's suffix values; only after <see cref="EnsureSuffixCapacity"/> has allocated them.</summary>
    public Tensor SuffixValues(int layer) => _suffixValues[layer] ?? throw SuffixNotAllocated();

    /// <summary>Takes ownership of one layer's prompt keys and values <c>[prompts, kv_heads, longest_prompt, head_dim]</c>.</summary>
    public void SetPrefix(int layer, Tensor keys, Tensor values)
    {
        DisposePromptViews();
        _prefixIdentity = new object();
        _prefixKeys[layer] = keys.contiguous().DetachFromDisposeScope();
        _prefixValues[layer] = values.contiguous().DetachFromDisposeScope();
    }

    /// <summary>Bytes the cache would take for these sizes, in the compute dtype.</summary>
    public static long BytesFor(TransformerConfig config, ScalarType dtype, long prompts, long longestPrompt, long rows, long suffixCapacity)
    {
        var perPosition = 2L * config.LayerCount * config.KeyValueHeadCount * config.HeadDim * ElementSize(dtype);
        return perPosition * (prompts * longestPrompt + rows * suffixCapacity);
    }

    /// <summary>Bytes the prefix and the suffix tensors hold now, over all layers (what <see cref="BytesFor"/> predicts).</summary>
    public (long Prefix, long Suffix) AllocatedBytes()
    {
        static long Bytes(IEnumerable<Tensor?> tensors) => tensors.Sum(t => t is null ? 0 : t.NumberOfElements * t.ElementSize);
        return (Bytes(_prefixKeys.Concat(_prefixValues)), Bytes(_suffixKeys.Concat(_suffixValues)));
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

    /// <summary>
    /// A cache holding copies of rows <paramref name="rowIndices"/> (new row i is old row rowIndices[i]) that views this
    /// cache's prefix rather than copying it (the prompts are never written after the prefill): one index_select per
    /// layer on the suffix, so a copy costs the rows copied, not the prompts or the other rows.
    /// </summary>
    public KvCache CopyRows(long[] rowIndices, Tensor rowIndexTensor)
    {
        var copy = new KvCache(_config, _device, _dtype, _maxBytes, PromptLengths, Array.ConvertAll(rowIndices, i => PromptOfRow[i]));
        try
        {
            copy.CheckBudget(PromptLengths.Length, PromptLengths.Max(), rowIndices.Length, SuffixCapacity);
            copy._prefixIdentity = _prefixIdentity;
            for (var layer = 0; layer < _config.LayerCount; layer++)
            {
                copy._prefixKeys[layer] = _prefixKeys[layer].alias().DetachFromDisposeScope();
                copy._prefixValues[layer] = _prefixValues[layer].alias().DetachFromDisposeScope();
                copy._suffixKeys[layer] = _suffixKeys[layer]?.index_select(0, rowIndexTensor).DetachFromDisposeScope();
                copy._suffixValues[layer] = _suffixValues[layer]?.index_select(0, rowIndexTensor).DetachFromDisposeScope();
            }

            copy.SuffixCapacity = SuffixCapacity;
            copy.SuffixLengths = Array.ConvertAll(rowIndices, i => SuffixLengths[i]);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Overwrites row <paramref name="rowIndices"/>[i] with row i of <paramref name="source"/>, which must view the same
    /// prefix (a <see cref="CopyRows"/> copy of this cache or of a copy): one index_copy_ per layer on the suffix, grown
    /// first when the source's is longer. Returns false, changing nothing, for a source with another prefix.
    /// </summary>
    public bool TryWriteRows(long[] rowIndices, Tensor rowIndexTensor, KvCache source)
    {
        if (!ReferenceEquals(source._prefixIdentity, _prefixIdentity))
        {
            return false;
        }

        EnsureSuffixCapacity(source.SuffixCapacity);
        for (var layer = 0; layer < _config.LayerCount && source.SuffixCapacity > 0; layer++)
        {
            // Positions past the source's capacity keep the target row's old values: finite, and never attended to.
            using var keys = _suffixKeys[layer]!.narrow(2, 0, source.SuffixCapacity);
            using var values = _suffixValues[layer]!.narrow(2, 0, source.SuffixCapacity);
            keys.index_copy_(0, rowIndexTensor, source._suffixKeys[layer]!);
            values.index_copy_(0, rowIndexTensor, source._suffixValues[layer]!);
        }

        for (var i = 0; i < rowIndices.Length; i++)
        {
            PromptOfRow[rowIndices[i]] = source.PromptOfRow[i];
            SuffixLengths[rowIndices[i]] = source.SuffixLengths[i];
        }

        DisposeGroups();
        Groups = GroupRowsByPrompt();
        return true;
    }

    public void Dispose()
    {
        foreach (var tensor in _prefixKeys.Concat(_prefixValues).Concat(_suffixKeys).Concat(_suffixValues))
        {
            tensor?.Dispose();
        }

        DisposePromptViews();
        DisposeGroups();
    }

    private void DisposePromptViews()
    {
        for (var i = 0; i < _promptViews.Length; i++)
        {
            _promptViews[i]?.KeysT.Dispose();
            _promptViews[i]?.Values.Dispose();
            _promptViews[i] = null;
        }
    }

    private void CheckBudget(long prompts, long longestPrompt, long rows, long suffixCapacity)
    {
        var bytes = BytesFor(_config, _dtype, prompts, longestPrompt, rows, suffixCapacity);
        if (bytes > _maxBytes)
        {
            throw new ModelException(
                $"the KV cache for {rows} rows ({prompts} prompt{(prompts == 1 ? "" : "s")} of up to {longestPrompt} tokens, "
                + $"{suffixCapacity} generated positions per row) needs {FormatBytes(bytes)}, above the limit of {FormatBytes(_maxBytes)} "
                + "(--memory-limit on the command line, TransformerOptions.MaxKvCacheBytes in code): use fewer particles or shorter texts, or raise the limit");
        }
    }

    private static string FormatBytes(long bytes) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.###} GiB");

    private static int ElementSize(ScalarType dtype) => dtype is ScalarType.Float32 ? 4 : dtype is ScalarType.Float64 ? 8 : 2;

    private static InvalidOperationException SuffixNotAllocated() =>
        new("The suffix is allocated by EnsureSuffixCapacity at the first decode step.");

    /// <summary>A suffix of <paramref name="capacity"/> positions holding <paramref name="suffix"/>'s (none when null); disposes the old one.</summary>
    private Tensor Grow(Tensor? suffix, int capacity, bool zeroTail)
    {
        using var old = suffix;
        return Joined(suffix, null, Rows, capacity, zeroTail);
    }

    /// <summary>
    /// A new <c>[<paramref name="rows"/>, kv_heads, <paramref name="positions"/>, head_dim]</c> tensor holding
    /// <paramref name="first"/> in its first rows and <paramref name="second"/> in its last rows, each from position
    /// 0. What they do not cover is zero-filled only when <paramref name="zeroFill"/> (suffix values), else left
    /// uninitialized (suffix keys, masked before the softmax; prompt positions past a prompt's length, never read).
    /// </summary>
    private Tensor Joined(Tensor? first, Tensor? second, long rows, long positions, bool zeroFill)
    {
        var shape = new[] { rows, _config.KeyValueHeadCount, positions, _config.HeadDim };
        var joined = (zeroFill ? torch.zeros(shape, _dtype, _device) : torch.empty(shape, _dtype, _device)).DetachFromDisposeScope();
        foreach (var (part, rowOffset) in new[] { (first, 0L), (second, rows - (second?.shape[0] ?? 0)) })
        {
            if (part is not null)
            {
                using var rowsOfPart = joined.narrow(0, rowOffset, part.shape[0]);
                using var target = rowsOfPart.narrow(2, 0, part.shape[2]);
                target.copy_(part);
            }
        }

        return joined;
    }

    private static Tensor? Gather(Tensor? suffix, Tensor rowIndices)
    {
        using var old = suffix;
        return suffix?.index_select(0, rowIndices).DetachFromDisposeScope();
    }

    private List<PromptGroup> GroupRowsByPrompt()
    {
        // One pass over the rows, not one per prompt: a tree search regroups a cache of prompts × nodes rows per simulation.
        var rowsOfPrompt = new List<long>?[PromptLengths.Length];
        for (var row = 0; row < Rows; row++)
        {
            (rowsOfPrompt[PromptOfRow[row]] ??= []).Add(row);
        }

        var groups = new List<PromptGroup>();
        for (var prompt = 0; prompt < PromptLengths.Length; prompt++)
        {
            if (rowsOfPrompt[prompt] is not { } list)
            {
                continue;
            }

            var rows = list.ToArray();
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
