using Tts.Runtime.Models;

namespace Tts.Runtime.Tests.Models;

public sealed class VocabularyTests
{
    [Fact]
    public void Decode_ConcatenatesTokensUpToTheFirstEos()
    {
        var vocabulary = new Vocabulary(["he", "llo", " ", "<eos>"], eosId: 3);

        Assert.Equal(4, vocabulary.Count);
        Assert.Equal("hello he", vocabulary.Decode([0, 1, 2, 0]));
        Assert.Equal("hello", vocabulary.Decode([0, 1, 3, 2, 0]));
        Assert.Equal("", vocabulary.Decode([]));
    }

    [Fact]
    public void Constructor_RejectsAnEosIdOutsideTheTokens()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Vocabulary(["a"], eosId: 1));
        Assert.Throws<ArgumentException>(() => new Vocabulary([], eosId: 0));
    }
}
