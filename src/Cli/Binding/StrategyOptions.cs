using System.CommandLine;
using Tts.Runtime.Models.Transformer;

namespace Tts.Cli.Binding;

/// <summary>
/// The options every command that runs strategies shares, defined once: <c>--model NAME=KIND:PATH</c>,
/// <c>--bind NAME=EXPR|KIND:PATH</c>, <c>--set NAME=VALUE</c>, <c>--seed S</c>, <c>--device auto|cpu|cuda</c>, <c>--memory-limit SIZE</c>.
/// </summary>
internal sealed class StrategyOptions
{
    public Option<string[]> Models { get; } = new("--model")
    {
        Description = "Bind a declared model: " + ModelSpec.Syntax + " (repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Binds { get; } = new("--bind")
    {
        Description = "Bind a declared reward, verifier or extractor: " + FunctionSpec.Syntax + " (repeatable)",
    };

    public Option<string[]> Sets { get; } = new("--set") { Description = "Set a strategy parameter: NAME=VALUE (repeatable); a text value takes the escapes of a .tts string (\\n is a newline)" };

    public Option<ulong> Seed { get; } = new("--seed") { Description = "Seed: the same seed gives the same outputs bit for bit", DefaultValueFactory = _ => 0 };

    public Option<string> Device { get; } = CreateDevice();

    public Option<string?> MemoryLimit { get; } = new("--memory-limit")
    {
        Description = "The most memory the runs may take, e.g. 8GB or 512MiB (default: the memory available): batches shrink to fit, and a run whose particles alone exceed it is refused before any compute",
    };

    public IEnumerable<Option> All => new Option[] { Models, Binds, Sets, Seed, Device, MemoryLimit };

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    public StrategySettings Read(ParseResult result) => new(
        result.GetValue(Models) ?? [],
        result.GetValue(Binds) ?? [],
        SettingSpec.Parse(result.GetValue(Sets) ?? []),
        result.GetValue(Seed),
        result.GetValue(Device) switch { "cpu" => DevicePreference.Cpu, "cuda" => DevicePreference.Cuda, _ => DevicePreference.Auto },
        ReadMemoryLimit(result));

    /// <summary>The <c>--memory-limit</c> in bytes, or null when not given.</summary>
    public long? ReadMemoryLimit(ParseResult result) =>
        result.GetValue(MemoryLimit) is { } limit
            ? Runtime.Execution.MemorySize.Parse(limit) ?? throw new CliException($"--memory-limit must be a size such as 8GB or 512MiB, but it is '{limit}'")
            : null;

    private static Option<string> CreateDevice()
    {
        var device = new Option<string>("--device") { Description = "Where transformer models run: auto (CUDA when available), cpu or cuda", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda");
        return device;
    }
}

/// <summary>What the shared options say: model and function specs as typed, parameters by name, seed, device and memory limit.</summary>
internal sealed record StrategySettings(
    IReadOnlyList<string> Models, IReadOnlyList<string> Binds, IReadOnlyDictionary<string, string> Sets, ulong Seed, DevicePreference Device, long? MemoryLimit = null);

/// <summary><c>--set NAME=VALUE</c>, each name once.</summary>
internal static class SettingSpec
{
    public static IReadOnlyDictionary<string, string> Parse(IReadOnlyList<string> sets)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var set in sets)
        {
            var equals = set.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"bad --set '{set}': write NAME=VALUE");
            }

            if (!result.TryAdd(set[..equals], set[(equals + 1)..]))
            {
                throw new CliException($"parameter '{set[..equals]}' is set twice");
            }
        }

        return result;
    }
}
