using Tts.Runtime.Models.Tokenizers;
using Tts.Runtime.Models.Transformer;
using Tts.Tasks.Arithmetic;

namespace Tts.Training.Arithmetic;

/// <summary>
/// The shape of the shipped arithmetic models: a character vocabulary (EOS, then the task's alphabet) and a small
/// Llama decoder (3 layers, hidden 128, 4 heads, SwiGLU 384, tied embeddings: about 0.64 M parameters, 2.6 MB in float32).
/// </summary>
public static class ArithmeticModels
{
    public const string Eos = "<eos>";

    public static string TokenizerJson { get; } = HuggingFaceTokenizer.CharacterLevelJson([Eos], ArithmeticTask.Alphabet);

    public const int DefaultHidden = 128;
    public const int DefaultLayers = 3;
    public const int Heads = 4;

    public static TransformerConfig PolicyConfig(int hidden = DefaultHidden, int layers = DefaultLayers, int heads = Heads) => new()
    {
        VocabSize = 1 + ArithmeticTask.Alphabet.Length,
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
