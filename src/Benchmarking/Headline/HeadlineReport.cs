using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tts.Benchmarking.Headline;

/// <summary>The headline table of one run with the machine it ran on and its measured ceilings.</summary>
public sealed record HeadlineReport(
    string Preset,
    string Device,
    string Machine,
    string LoadAverage,
    MachineRates Rates,
    IReadOnlyList<HeadlineRow> Rows,
    double TotalSeconds)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
