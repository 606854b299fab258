using Tts.Runtime.Sampling;

namespace Tts.Runtime.Tests.Sampling;

public sealed class SamplingOptionsTests
{
    [Theory]
    [InlineData(-0.5, 0, 1.0, "temperature must be a finite number ≥ 0 (0 = greedy), got -0.5.")]
    [InlineData(double.PositiveInfinity, 0, 1.0, "temperature must be a finite number ≥ 0 (0 = greedy), got Infinity.")]
    [InlineData(double.NaN, 0, 1.0, "temperature must be a finite number ≥ 0 (0 = greedy), got NaN.")]
    [InlineData(1.0, -1, 1.0, "top_k must be ≥ 0 (0 = off), got -1.")]
    [InlineData(1.0, 0, 0.0, "top_p must be in (0, 1] (1 = off), got 0.")]
    [InlineData(1.0, 0, 1.5, "top_p must be in (0, 1] (1 = off), got 1.5.")]
    [InlineData(1.0, 0, double.NaN, "top_p must be in (0, 1] (1 = off), got NaN.")]
    [InlineData(1.0, 0, 1.0, "min_p must be in [0, 1] (0 = off), got -0.1.", -0.1)]
    [InlineData(1.0, 0, 1.0, "min_p must be in [0, 1] (0 = off), got 1.5.", 1.5)]
    [InlineData(1.0, 0, 1.0, "min_p must be in [0, 1] (0 = off), got NaN.", double.NaN)]
    public void Validate_NamesTheBadOption(double temperature, int topK, double topP, string message, double minP = 0.0)
    {
        var exception = Assert.Throws<ArgumentException>(() => new SamplingOptions(temperature, topK, topP, minP).Validate());

        Assert.Equal(message, exception.Message);
    }

    [Fact]
    public void Validate_AcceptsTheEdges()
    {
        new SamplingOptions().Validate();
        new SamplingOptions(Temperature: 0.0, TopK: 0, TopP: 1.0).Validate();
        new SamplingOptions(Temperature: 1e-300, TopK: 1, TopP: 1e-12).Validate();
        new SamplingOptions(MinP: 0.0).Validate();
        new SamplingOptions(MinP: 1.0).Validate();
        Assert.True(new SamplingOptions(Temperature: 0.0).IsGreedy);
    }
}
