using Tts.Runtime.Sampling;

namespace Tts.Runtime.Decoding;

/// <summary>Everything one decode needs beyond the population: the sampling law and the stopping rules.</summary>
public sealed record DecodeOptions(SamplingOptions Sampling, int MaxTokens, IReadOnlyList<string> Stop);
