using TorchSharp;
using Tts.Engines.Gguf.Engine;
using Tts.Engines.Gguf.Export;
using Tts.Engines.Gguf.Format;
using Tts.Runtime.Models.Transformer;
using Tts.TestSupport;
using Xunit.Abstractions;

namespace Tts.Engines.Tests;

public sealed class ProbeTests(ITestOutputHelper output)
{
    [Fact]
    public void Probe()
    {
        var dir = RepoPaths.Combine("models", "arith-policy");
        var path = Path.Combine(Path.GetTempPath(), "probe-" + Guid.NewGuid() + ".gguf");
        LlamaGgufExporter.Export(dir, path, GgufTensorType.F32);
        using var gguf = GgufModel.Load(path, new GgufOptions { FullPrecisionAttention = true });
        using var reference = TransformerModel.Load(dir, new TransformerOptions { Device = DevicePreference.Cpu });
        var prompt = reference.Encode("Q: 12+7=?\nA:");
        output.WriteLine(string.Join(",", prompt) + " vs " + string.Join(",", gguf.Encode("Q: 12+7=?\nA:")));
        using var a = gguf.Start([prompt], [0, 0]);
        using var b = reference.Start([prompt], [0, 0]);
        using var la = a.NextLogProbs();
        using var lb = b.NextLogProbs();
        output.WriteLine($"max diff {(la - lb).abs().max().item<double>()}");
        using var t = torch.tensor(new long[] { 19, 3 });
        a.Append(t); b.Append(t);
        using var la2 = a.NextLogProbs();
        using var lb2 = b.NextLogProbs();
        output.WriteLine($"max diff 2 {(la2 - lb2).abs().max().item<double>()}");
    }
}
