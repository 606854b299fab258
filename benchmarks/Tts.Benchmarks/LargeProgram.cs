using System.Text;

namespace Tts.Benchmarks;

/// <summary>A file of about 200 lines exercising every statement kind, built from templates with numbered names.</summary>
internal static class LargeProgram
{
    private const string Header = """
        // Declarations shared by every strategy below.
        model policy: lm
        model draft: lm
        reward prm: Score
        verifier valid
        extractor final_answer

        """;

    private static readonly string[] Templates =
    {
        """
        strategy pf_#(question: text, n: int = 16, tau: real = 1.0) -> text
            claims consistent
            budget tokens <= 256 * n * 40
        {
            population ps = spawn(n, prompt: question)
            smc ps with resample = systematic, ess < 0.5, steps <= 40 {
                extend ps by policy(stop: "\n", max_tokens: 256, temperature: 0.8)
                factor ps += log(prm(ps)) / tau
                condition ps: not contains(ps, "error")
            }
            return sample(ps)
        }

        """,
        """
        strategy beam_#(question: text, width: int = 4) -> text {
            population ps = spawn(1, prompt: question)
            search ps with method = beam, width = width, expand = 4, steps <= 20 {
                extend ps by policy(stop: "\n", max_tokens: 128)
                score ps = prm(ps)
            }
            return best(ps, by: prm)
        }

        """,
        """
        strategy vote_#(question: text, n: int = 16) -> text {
            population xs = sample policy(question, n: n, temperature: 0.7, top_p: 0.95, max_tokens: 256, stop: ["\n\n"])
            population top = rank(xs, by: prm, top: 8)
            return vote(top, key: final_answer(top), weight: prm)
        }

        """,
        """
        strategy reject_#(question: text, tries: int = 8) -> text claims exact {
            population xs = sample policy(question, n: tries, max_tokens: 256)
            let accepted = first(xs, where: valid(xs) and len(xs) > 10, otherwise: "")
            return accepted
        }

        """,
        """
        strategy combo_#(question: text) -> text {
            fork {
                let a = reject_#(question)
                population b = race policy(question, n: 8, max_tokens: 512) first 3
            }
            population runs = repeat(4, reject_#(question, tries: 4))
            refine answer = a by reject_#(question + "\n" + answer) with rounds <= 2, until = valid(answer)
            return answer + vote(b, key: final_answer(b)) + sample(runs)
        }

        """,
    };

    public static string Text { get; } = Build(copies: 5);

    private static string Build(int copies)
    {
        var builder = new StringBuilder(Header);
        for (var copy = 0; copy < copies; copy++)
        {
            foreach (var template in Templates)
            {
                builder.Append(template.Replace("#", copy.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            }
        }

        return builder.ToString();
    }
}
