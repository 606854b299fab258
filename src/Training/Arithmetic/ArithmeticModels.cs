using Tts.Runtime.Models.Tokenizers;
using Tts.Runtime.Models.Transformer;
using Tts.Tasks;
using Tts.Tasks.Arithmetic;

namespace Tts.Training.Arithmetic;

/// <summary>
/// The shape of the shipped models of a generated task (arithmetic by default): a character vocabulary (EOS, then the
/// task's alphabet) and a small Llama decoder (3 layers, hidden 128, 4 heads, SwiGLU 384, tied embeddings: about
/// 0.64 M parameters, 2.6 MB in float32).
/// </summary>
public static class ArithmeticModels
{
    public const string Eos = "<eos>";

    public static string TokenizerJson { get; } = Tokenizer(ArithmeticTask.Definition);

    /// <summary>The character vocabulary of <paramref name="task"/>'s models: EOS, then its alphabet.</summary>
    public static string Tokenizer(IGeneratedTask task) => HuggingFaceTokenizer.CharacterLevelJson([Eos], task.Alphabet);

    public const int DefaultHidden = 128;
    public const int DefaultLayers = 3;
    public const int Heads = 4;

    /// <summary>Parameters of <see cref="PolicyConfig"/>'s shape (a double: absurd shapes must not overflow).</summary>
    public static double PolicyParameterCount(int hidden, int layers, IGeneratedTask? task = null)
    {
        var h = (double)hidden;
        var vocabulary = 1 + (task ?? ArithmeticTask.Definition).Alphabet.Length;
        // Per layer: q, k, v, o (h × h each), gate, up, down (h × 3h each), two norms; then the final norm; the head is tied.
        return vocabulary * h + layers * (4 * h * h + 3 * h * (3 * h) + 2 * h) + h;
    }

    public static TransformerConfig PolicyConfig(int hidden = DefaultHidden, int layers = DefaultLayers, int heads = Heads, IGeneratedTask? task = null)
    {
        // Rotary embeddings rotate pairs of dimensions: an odd head width fails in the first forward pass.
        if (hidden <= 0 || heads <= 0 || hidden % heads != 0 || hidden / heads % 2 != 0 || layers <= 0)
        {
            throw new ArgumentException($"no policy of hidden size {hidden}, {heads} heads and {layers} layers: the hidden size must split into heads of even width");
        }

        return CreatePolicyConfig(hidden, layers, heads, (task ?? ArithmeticTask.Definition).Alphabet.Length);
    }

    private static TransformerConfig CreatePolicyConfig(int hidden, int layers, int heads, int alphabet) => new()
    {
        VocabSize = 1 + alphabet,
        HiddenSize = hidden,
        IntermediateSize = 3 * hidden,
        LayerCount = layers,
        HeadCount = heads,
        KeyValueHeadCount = heads,
        HeadDim = hidden / heads,
        RmsNormEps = 1e-5,
        TieWordEmbeddings = true,
        MaxPositionEmbeddings = 256,
        EosTokenId = 0,
    };
}
