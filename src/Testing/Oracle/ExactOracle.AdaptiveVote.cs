using Tts.Language.Binding.BoundTree;
using Tts.Semantics;

namespace Tts.Testing.Oracle;

public sealed partial class ExactOracle
{
    /// <summary>
    /// <c>adaptive_vote</c> stops only once the leader cannot be overtaken, so its result is the majority vote of all n
    /// i.i.d. draws: the plurality law of n draws of the decoding law, by key.
    /// </summary>
    private Law AdaptiveVote(BoundAdaptiveVote vote, Frame frame)
    {
        var model = Model(vote.Model.Name);
        var prompt = KnownText(vote.Prompt, frame, "the prompt of adaptive_vote");
        var draws = DecodeLaw.SampleText(model, prompt, Options(vote.Options, frame));
        Outcome Key(Outcome o)
        {
            var text = (string)o.Value!;
            return new Outcome(vote.Key switch
            {
                AdaptiveVoteKey.Answer => AnswerExtraction.Extract(text),
                AdaptiveVoteKey.Extractor => CallFunction(vote.Extractor!, text),
                _ => text,
            });
        }

        var output = SelectionLaws.Vote(draws, Key, KnownCount(vote.Options.Count, frame));
        return new RandomValue(output, output, draws.Map(v => Key(new Outcome(v)).Value), null, _nextSource++, output);
    }
}
