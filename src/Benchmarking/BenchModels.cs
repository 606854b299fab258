using Tts.Runtime.Models;
using Tts.Runtime.Models.Tokenizers;
using Tts.Runtime.Models.Transformer;
using Tts.Tasks;
using Tts.Tasks.Arithmetic;

namespace Tts.Benchmarking;

/// <summary>
/// The models measured: the shipped arithmetic policy (models/arith-policy) and randomly initialized Llama-style
/// decoders of fixed shapes (random weights decode at the same speed as trained ones: the work does not depend on the
/// values).
/// </summary>
public static class BenchModels
{
    public const string ShippedPolicyDirectory = "models/arith-policy";

    /// <summary>Hidden 768, 12 layers, 12 heads, intermediate 2048, vocab 32000, tied: 109.5M parameters.</summary>
    public static TransformerConfig Llama110M { get; } = new()
    {
        VocabSize = 32000, HiddenSize = 768, IntermediateSize = 2048, LayerCount = 12, HeadCount = 12, KeyValueHeadCount = 12, HeadDim = 64,
        TieWordEmbeddings = true, MaxPositionEmbeddings = 2048, EosTokenId = 0, RmsNormEps = 1e-5,
    };

    /// <summary>A few-hundred-thousand-parameter decoder for smoke runs (tests): same code path, seconds to run.</summary>
    public static TransformerConfig LlamaTiny { get; } = new()
    {
        VocabSize = 97, HiddenSize = 64, IntermediateSize = 128, LayerCount = 2, HeadCount = 2, KeyValueHeadCount = 2, HeadDim = 32,
        TieWordEmbeddings = true, MaxPositionEmbeddings = 512, EosTokenId = 0, RmsNormEps = 1e-5,
    };

    /// <summary>A bench model by the name the bench commands take: "shipped", "llama-110m" or "tiny", on CPU.</summary>
    public static TransformerModel ByName(string name) => name switch
    {
        "shipped" => Shipped(DevicePreference.Cpu),
        "llama-110m" => Random(Llama110M, DevicePreference.Cpu),
        "tiny" => Random(LlamaTiny, DevicePreference.Cpu),
        _ => throw new ModelException($"unknown bench model '{name}': use shipped, llama-110m or tiny"),
    };

    /// <summary>A random model with a character-level tokenizer: EOS, printable ASCII, newline (97 ids).</summary>
    public static TransformerModel Random(TransformerConfig config, DevicePreference device, long seed = 1)
    {
        var characters = Enumerable.Range(0, 95).Select(i => (char)(' ' + i)).Append('\n');
        return TransformerModel.CreateRandom(config, HuggingFaceTokenizer.CharacterLevelJson(["<eos>"], characters), seed, new TransformerOptions { Device = device });
    }

    /// <summary>
    /// The shipped policy, looked for under the working directory and its parents (a run from anywhere in the
    /// repository finds it), or at <paramref name="directory"/> when given.
    /// </summary>
    public static TransformerModel Shipped(DevicePreference device, string? directory = null)
    {
        var found = directory ?? FindUpwards(ShippedPolicyDirectory)
            ?? throw new ModelException($"{ShippedPolicyDirectory} not found under the working directory or its parents: run from the repository, or name the directory");
        return TransformerModel.Load(found, new TransformerOptions { Device = device });
    }

    /// <summary>Arithmetic test-split prompts joined until they reach <paramref name="characters"/> characters (a long shared prompt).</summary>
    public static string ArithmeticPrompt(int characters)
    {
        var text = "";
        foreach (var problem in ArithmeticTask.Problems(TaskSplit.Test, 64, ArithmeticTask.TestSeed))
        {
            if (text.Length + problem.Prompt.Length > characters)
            {
                break;
            }

            text += problem.Prompt;
        }

        return text.Length > 0 ? text : ArithmeticTask.Problems(TaskSplit.Test, 1, ArithmeticTask.TestSeed)[0].Prompt;
    }

    private static string? FindUpwards(string relative)
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
