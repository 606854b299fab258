using System.Text;

namespace Tts.Compiler.Tests.Fuzzing;

/// <summary>
/// Grammar-aware random .tts programs for the fuzz suite (<see cref="FrontEndFuzzTests"/>): a few models and
/// functions, then a chain of strategies where each may call the later ones, whose bodies use every statement and
/// built-in of the language (sample, race, spawn, smc with extend / factor / observe / condition / twist and the
/// `iterations` (particle Gibbs) and `temper` options, a condition on a partial reward (early rejection), search with
/// score by beam, diverse, best_first, mcts and puct, fork, refine (with a confidence exit on `logp`), repeat,
/// speculative, logp, adaptive_vote, first / best / vote / rank / sample, claims and budget clauses). Expressions are mostly well typed, so many programs pass the check and reach lowering and the IR
/// passes; the rest of the input is what breaks front ends: nesting near and past the limits, long sums and call
/// chains, integers and reals at and past their ranges, regular expression literals (invalid and backtracking ones),
/// unusual Unicode (U+2028/U+2029, lone surrogates, control characters, NUL, BOM, bidi marks) in strings, comments
/// and between tokens, and a few token-level mutations. Everything is drawn from one seeded <see cref="Random"/>,
/// so an input is reproduced from its seed alone.
/// </summary>
public sealed class FuzzPrograms
{
    private static readonly string[] Models = { "policy", "draft", "judge" };

    /// <summary>Pieces of string literal content, written as they appear in the source: all valid in a literal.</summary>
    private static readonly string[] TextPieces =
    {
        "a", "b", "Q: ", "A:", " ", "\\n", "\\t", "\\\"", "\\\\", "\\u0041", "\\u2028", "\\\\boxed{4}", "42", "é", "€", "😀",
        "\u2028", "\u2029", "\u0085", "\u0001", "\u001b[31m", "\u007f", "\u0000", "\uFEFF", "\u202E", "\u200B", "\uD800", "\uDC00",
        "\uFFFF", "//", "/*", "*/", "{", "}", "{x}", "\t",
    };

    /// <summary>Pieces that break a literal: unknown or short escapes, a lone backslash, raw quotes and line breaks.</summary>
    private static readonly string[] BadTextPieces = { "\\q", "\\b", "\\u12", "\\", "\"", "\r", "\n" };

    /// <summary>Regular expression literals: ordinary, invalid, and catastrophically backtracking ones.</summary>
    private static readonly string[] Patterns =
    {
        "a+", "^\\\\d+$", "[0-9]+", "\\\\p{L}", "(?i)yes", "(", "[a-", "a{2,1}", "(?<n>x)\\\\k<n>", "(a+)+$", "(a|aa)*b", "\\\\", "",
        "(?=a)", "\\\\u2028", "\u2028", "[^\\\\n]*\\\\n",
    };

    private static readonly string[] Integers = { "1", "2", "3", "4", "8", "16", "128", "1000", "0000000000000000000001" };

    /// <summary>Integers at and past the ends of int and 64-bit ranges, and zero (a count that must be positive).</summary>
    private static readonly string[] BadIntegers =
    {
        "0", "65536", "2147483647", "2147483648", "4294967296", "9223372036854775807", "9223372036854775808", "99999999999999999999", "000",
    };

    private static readonly string[] Reals = { "0.0", "0.5", "1.0", "2.5", "0.1", "1e-5", "0.000000000000000000001", "1E10", "3.0e+2" };

    private static readonly string[] BadReals = { "1e308", "1e309", "1e999", "1e-400", "4.9e-324", "1.7976931348623157e308", "-1.0" };

    /// <summary>Characters and words a mutation inserts.</summary>
    private static readonly string[] Insertions =
    {
        "{", "}", "(", ")", "[", "]", ",", ":", "=", "+=", "->", "<=", "-", "not", "\"", "\"x\"", "1", "1e999", "99999999999999999999",
        "/*", "*/", "//", "\n", "\u2028", "\uD800", "\u0000", "\u001b", "return", "population", "strategy s9() -> text {", "fork {",
        "smc", "sample", "let", "by", "with", "first", "\\", "é", "#", "@",
    };

    private readonly Random _random;
    private readonly StringBuilder _out = new();
    private int _strategies;
    private int _current;

    /// <summary>Whether this program may hold out-of-range values, unknown names and misplaced statements (else it aims to be valid).</summary>
    private bool _hostile;

    /// <summary>Whether each strategy calls the next one twice (2^length paths through the chain).</summary>
    private bool _fanOut;

    public FuzzPrograms(int seed)
    {
        _random = new Random(seed);
    }

    /// <summary>One program; well formed unless a mutation or an out-of-range piece made it otherwise.</summary>
    public string Next()
    {
        _out.Clear();
        _hostile = Chance(2);
        MaybeComment();
        foreach (var model in Models)
        {
            _out.Append("model ").Append(model).Append(": lm\n");
        }

        _out.Append(Or(Pick("reward prm: Score\n", "reward prm\n"), "reward prm: Prob\n"));
        _out.Append("verifier valid\n");
        _out.Append(Or("extractor final\n", "extractor final: text\n", ""));
        MaybeComment();

        // A long call chain now and then: s0 calls s1 calls ... (inlining and its verification).
        _fanOut = Chance(25);
        _strategies = _fanOut ? _random.Next(6, 16) : Chance(10) ? _random.Next(8, 40) : _random.Next(1, 5);
        for (_current = 0; _current < _strategies; _current++)
        {
            Strategy();
            MaybeComment();
        }

        var program = _out.ToString();
        var mutations = _hostile && Chance(3) ? _random.Next(1, 4) : 0;
        for (var i = 0; i < mutations; i++)
        {
            program = Mutate(program);
        }

        return program;
    }

    private void Strategy()
    {
        var returnsPopulation = Chance(8);
        _out.Append("strategy s").Append(_current).Append("(q: text");
        // n and t are what the expressions refer to; leaving one out now and then gives undefined names.
        _out.Append(Or(", n: int = " + Pick(Integers), "", ", n: int = " + Int(0), ", n: int = " + Pick(BadIntegers)));
        _out.Append(Or(", t: real = " + Pick(Reals), "", ", t: real = " + Pick(BadReals)));

        _out.Append(") -> ").Append(returnsPopulation ? "population" : Or("text", "int", "real", "bool", "Score"));
        if (Chance(3))
        {
            _out.Append(" claims ").Append(Or("heuristic", "exact", "consistent", "perfect", "exact exact"));
        }

        if (Chance(4))
        {
            _out.Append(" budget ").Append(Or(Pick("tokens", "calls", "rewards"), "money")).Append(" <= ").Append(Or("1000000000", Pick(Integers), Int(1)));
            if (_hostile && Chance(2))
            {
                _out.Append(", tokens <= ").Append(Or(Pick(Integers), Pick(BadIntegers))).Append(" * n");
            }
        }

        _out.Append(Pick(" {\n", "\n{\n"));
        if (_fanOut && _current + 1 < _strategies)
        {
            _out.Append("    let left = s").Append(_current + 1).Append("(q)\n    let right = s").Append(_current + 1).Append("(q + left)\n");
        }

        // A valid body defines xs once; a hostile one may define it again.
        var statements = _hostile ? _random.Next(1, 4) : 1;
        for (var i = 0; i < statements; i++)
        {
            if (!_hostile && Chance(2))
            {
                _out.Append("    let x").Append(i).Append(" = ").Append(Any(0)).Append('\n');
            }

            Statement(1);
        }

        _out.Append("    return ").Append(returnsPopulation ? "xs" : Selection("xs")).Append('\n');
        if (_hostile && Chance(30))
        {
            _out.Append("    let after = 1\n"); // unreachable
        }

        _out.Append("}\n");
    }

    /// <summary>A statement that defines <c>xs</c> (a population) along the way.</summary>
    private void Statement(int depth)
    {
        var indent = new string(' ', 4 * depth);
        var kind = _random.Next(14);
        if (!_hostile && (kind is 4 or 5 or 6 or 7 && _current + 1 >= _strategies || kind == 13))
        {
            kind = 0; // no later strategy to call; a factor outside smc
        }

        switch (kind)
        {
            case 0:
                _out.Append(indent).Append("population xs = sample ").Append(Model()).Append('(').Append(Text(0)).Append(", n: ").Append(Count())
                    .Append(Options()).Append(")\n");
                break;
            case 1:
                _out.Append(indent).Append("population xs = race ").Append(Model()).Append('(').Append(Text(0)).Append(", n: ").Append(Count())
                    .Append(Options()).Append(") first ").Append(Or("1", "2", "n", "0", Int(1))).Append('\n');
                break;
            case 2:
                Smc(indent, depth);
                break;
            case 3:
                Search(indent, depth);
                break;
            case 4:
                _out.Append(indent).Append("population xs = repeat(").Append(Count()).Append(", ").Append(Call()).Append(")\n");
                break;
            case 5:
                _out.Append(indent).Append("let a").Append(depth).Append(" = ").Append(Call()).Append('\n');
                _out.Append(indent).Append("population xs = sample policy(q + a").Append(depth).Append(", n: 2").Append(Options()).Append(")\n");
                break;
            case 6:
                _out.Append(indent).Append("fork {\n");
                _out.Append(indent).Append("    let f = ").Append(Call()).Append('\n');
                if (_hostile && depth < 3 && Chance(6))
                {
                    Statement(depth + 1); // a fork in a fork (rejected) or a block in a fork
                }
                else
                {
                    _out.Append(indent).Append("    population xs = sample policy(").Append(Text(0)).Append(", n: ").Append(Count()).Append(Options()).Append(")\n");
                }

                _out.Append(indent).Append("}\n");
                break;
            case 7:
                _out.Append(indent).Append("refine r = ").Append(Call()).Append(" by ").Append(Call("r")).Append(" with rounds <= ")
                    .Append(Or("3", "0", "n", Int(0))).Append(Pick("", ", until = valid(r)", ", until = " + Bool(1, "r"), ", until = " + Confident("r"))).Append('\n');
                _out.Append(indent).Append("population xs = sample policy(r, n: 2)\n");
                break;
            case 8:
                _out.Append(indent).Append("population xs = speculative(").Append(Text(0)).Append(", target: ").Append(Model()).Append(", draft: ")
                    .Append(Model()).Append(", k: ").Append(Or(Pick("4", "1"), "0", Int(0))).Append(Options()).Append(")\n");
                break;
            case 9:
                _out.Append(indent).Append("population ys = sample policy(").Append(Text(0)).Append(", n: ").Append(Count()).Append(Options()).Append(")\n");
                _out.Append(indent).Append("population xs = rank(ys, by: ").Append(Or(Pick("prm(ys)", "len(ys)"), Real(1, "ys"))).Append(", top: ")
                    .Append(Or("2", "0", "n", Int(1))).Append(")\n");
                break;
            case 10:
                _out.Append(indent).Append("let v = adaptive_vote(").Append(Text(0)).Append(", from: ").Append(Model()).Append(", n: ").Append(Count())
                    .Append(Or(Pick("", ", wave: 4"), ", wave: 0")).Append(Or(Pick("", ", key: answer", ", key: final"), ", key: len")).Append(Options()).Append(")\n");
                _out.Append(indent).Append("population xs = sample policy(v").Append(Options()).Append(")\n");
                break;
            case 11:
                _out.Append(indent).Append("let x").Append(depth).Append(" = ").Append(Any(0)).Append('\n');
                _out.Append(indent).Append("population xs = sample policy(q, n: 1)\n");
                break;
            case 12:
                _out.Append(indent).Append("population xs = spawn(").Append(Count()).Append(", prompt: ").Append(Text(0)).Append(")\n");
                break;
            default:
                _out.Append(indent).Append("population xs = sample policy(").Append(Text(0)).Append(Options()).Append(")\n");
                _out.Append(indent).Append("factor xs += logp(").Append(Model()).Append(", xs, after: q) - logp(").Append(Model())
                    .Append(", xs").Append(Pick(", after: q", "")).Append(")\n");
                break;
        }
    }

    private void Smc(string indent, int depth)
    {
        _out.Append(indent).Append("population xs = spawn(").Append(Count()).Append(", prompt: ").Append(Text(0)).Append(")\n");
        _out.Append(indent).Append("smc xs");
        if (!_hostile || !Chance(10))
        {
            // Particle Gibbs (`iterations`) needs multinomial resampling at every step; a valid program asks for it then,
            // a hostile one may not. Entropic weighting (`temper`) needs a resampler.
            var gibbs = Chance(5);
            var resample = gibbs && !(_hostile && Chance(3))
                ? "resample = multinomial, "
                : Or(Pick("resample = systematic, ", "resample = multinomial, ", "resample = residual, ", "resample = stratified, ", ""), "resample = never, ");
            _out.Append(" with ").Append(resample)
                .Append(gibbs ? Or("", "ess < 0.5, ") : Or(Pick("ess < 0.5, ", "ess < 1.0, ", ""), "ess < " + Real(0) + ", "))
                .Append("steps <= ").Append(Or(Pick("1", "4", "16"), "0", Int(0)));
            if (gibbs)
            {
                _out.Append(", iterations = ").Append(Or(Pick("1", "2", "4", "n"), "0", Int(0), Pick(BadIntegers)));
            }
            else if (resample.Length > 0 && Chance(5))
            {
                _out.Append(", temper = ").Append(Or(Pick("0.5", "1.0", "0.25"), "0.0", "1.5", Real(0)));
            }
        }

        _out.Append(" {\n");
        var inner = indent + "    ";
        _out.Append(inner).Append("extend xs by ").Append(Model()).Append('(').Append(Options().TrimStart(',', ' ')).Append(")\n");
        var updates = _random.Next(_hostile ? 0 : 1, 4);
        for (var i = 0; i < updates; i++)
        {
            _out.Append(inner).Append(_random.Next(7) switch
            {
                0 => "factor xs += weight(" + Real(1, "xs") + ")",
                1 => "factor xs += log(prm(xs)) / 2.0",
                2 => "condition xs: " + Bool(1, "xs"),
                // Early rejection: a partial reward below a threshold kills the particle.
                5 => "condition xs: real(prm(xs)) >= " + Or(Pick("0.3", "t"), Real(1, "xs")),
                3 => "observe xs: prob(" + Real(1, "xs") + ")",
                4 => "twist xs = log(prm(xs))",
                _ => "factor xs += logp(judge, xs, after: q) - logp(policy, xs, after: q)",
            }).Append('\n');
        }

        if (_hostile && depth < 3 && Chance(15))
        {
            Statement(depth + 1); // a statement that does not belong in a step body
        }

        _out.Append(indent).Append("}\n");
    }

    private void Search(string indent, int depth)
    {
        var method = Or(Pick("beam", "diverse", "best_first", "mcts", "puct"), "dfs");
        var tree = method is "mcts" or "puct";
        _out.Append(indent).Append("population xs = spawn(").Append(tree ? Or("1", Count()) : Count()).Append(", prompt: ").Append(Text(0)).Append(")\n");
        _out.Append(indent).Append("search xs with method = ").Append(method);
        if (tree)
        {
            // Monte Carlo tree search grows one tree from one particle; it has no width, and `explore` is its own.
            _out.Append(Or("", ", width = 2")).Append(Pick("", ", explore = " + Or(Pick("1.0", "0.5", "2.0", "t"), "0.0", "-1.0", Real(0))));
        }
        else
        {
            _out.Append(", width = ").Append(Or(Pick("2", "4"), "0", Int(1))).Append(Or("", ", explore = 1.0"));
        }

        _out.Append(", expand = ").Append(Or(Pick("2", "3"), Int(1))).Append(Or("", ", groups = 2")).Append(", steps <= ").Append(Or(Pick("4", "10"), Int(1))).Append(" {\n");
        _out.Append(indent).Append("    extend xs by policy(").Append(Options().TrimStart(',', ' ')).Append(")\n");
        _out.Append(indent).Append("    score xs = ").Append(Or(Pick("prm(xs)", "score(" + Real(1, "xs") + ")"), "prm")).Append('\n');
        if (_hostile && depth < 3 && Chance(20))
        {
            Statement(depth + 1);
        }

        _out.Append(indent).Append("}\n");
    }

    /// <summary>Confidence exit: the policy's mean log-probability per character of <paramref name="text"/> reaches a threshold.</summary>
    private string Confident(string text) =>
        $"len({text}) > 0 and real(logp({Model()}, {text}, after: q)) / max(len({text}), 1) >= {Or(Pick("-0.05", "t"), Real(1, text))}";

    /// <summary>A call of a later strategy of the chain (or of the current one: recursion, rejected).</summary>
    private string Call(string argument = "q")
    {
        var callee = _current + 1 < _strategies && !(_hostile && Chance(20)) ? _random.Next(_current + 1, _strategies) : _random.Next(0, Math.Max(1, _strategies));
        return $"s{callee}({Pick(argument, Text(1), argument + " + " + Text(0))}{Or(Pick("", ", n: " + Count(), ", t: 0.5"), ", m: 1")})";
    }

    private string Selection(string xs) => _random.Next(9) switch
    {
        0 => $"sample({xs})",
        1 => $"best({xs}, by: {Or(Pick("prm", $"len({xs})", $"prm({xs})"), Real(1, xs))})",
        2 => $"vote({xs})",
        3 => $"vote({xs}, key: answer({xs}){Or(Pick("", $", weight: prm({xs})"), ", weight: prm", $", weight: {Real(1, xs)}")})",
        4 => $"first({xs}, where: {Or($"valid({xs})", Bool(1, xs))}, otherwise: {Text(1)})",
        5 => $"first({xs}, where: valid({xs}), otherwise: {Selection(xs)})",
        6 => Or(Text(1), Text(1, xs)),
        7 => Or($"{Text(1)} + sample({xs})", $"sample(rank({xs}, by: prm({xs}), top: 1))"),
        _ => $"sample({xs}) + {Text(1)}",
    };

    private string Options()
    {
        var builder = new StringBuilder();
        var count = _random.Next(0, 5);
        var used = new HashSet<int>();
        for (var i = 0; i < count; i++)
        {
            var option = _random.Next(9);
            if (!_hostile && (!used.Add(option) || option is 7 or 8))
            {
                continue; // an option given twice; an unknown one; one out of range
            }

            builder.Append(", ").Append(option switch
            {
                0 => "temperature: " + Or(Pick("0.7", "0.0", "1.0"), Real(0)),
                1 => "top_k: " + Or(Pick("0", "1", "40"), Int(0)),
                2 => "top_p: " + Or(Pick("0.9", "1.0"), "0.0", Real(0)),
                3 => "min_p: " + Or(Pick("0.05", "0.0"), Real(0)),
                4 => "max_tokens: " + Or(Pick("1", "16", "128"), "0", Int(0)),
                5 => "stop: " + Pick(StringLiteral(), "[" + StringLiteral() + ", " + StringLiteral() + "]", Or("\"\\n\"", "[]")),
                6 => "forbid: [" + Or("\"e\"", StringLiteral()) + "]",
                7 => "seed: 1",
                _ => "max_tokens: " + Pick(BadIntegers),
            });
        }

        return builder.ToString();
    }

    private string Count() => Or(Pick("1", "2", "4"), "n", Int(0), Pick(BadIntegers));

    private string Model() => _hostile && Chance(15) ? Pick("prm", "nope", "q") : Pick(Models);

    private string Any(int depth) => _random.Next(4) switch
    {
        0 => Text(depth),
        1 => Int(depth),
        2 => Real(depth),
        _ => Bool(depth),
    };

    private string Text(int depth, string? particle = null)
    {
        if (Chance(60))
        {
            return Nest(Text(depth, particle), null);
        }

        if (depth > 3 || Chance(2))
        {
            return particle is not null && Chance(2) ? particle : Pick(StringLiteral(), "q", StringLiteral());
        }

        return _random.Next(4) switch
        {
            0 => $"{Text(depth + 1, particle)} + {Text(depth + 1, particle)}",
            1 => $"answer({Text(depth + 1, particle)})",
            2 => $"final({Text(depth + 1, particle)})",
            _ => LongSum(() => Text(4, particle), " + "),
        };
    }

    private string Int(int depth, string? particle = null)
    {
        if (Chance(60))
        {
            return Nest(Int(depth, particle), "-");
        }

        if (depth > 3 || Chance(2))
        {
            return Or(Pick(Integers), "n", Pick(BadIntegers));
        }

        return _random.Next(6) switch
        {
            0 => $"{Int(depth + 1, particle)} {Or(Pick("+", "-", "*"), "/", "%")} {Int(depth + 1, particle)}",
            1 => $"len({Text(depth + 1, particle)})",
            2 => $"count({Text(depth + 1, particle)}, {Text(depth + 1)})",
            3 => $"lines({Text(depth + 1, particle)})",
            4 => $"-{Int(depth + 1, particle)}",
            _ => LongSum(() => Int(4, particle), " + ", " * ", " - "),
        };
    }

    private string Real(int depth, string? particle = null)
    {
        if (Chance(60))
        {
            return Nest(Real(depth, particle), "-");
        }

        if (depth > 3 || Chance(2))
        {
            return Or(Pick(Reals), Pick(BadReals));
        }

        return _random.Next(7) switch
        {
            0 => $"{Real(depth + 1, particle)} {Pick("+", "-", "*", "/")} {Real(depth + 1, particle)}",
            1 => $"{Pick("log", "exp", "abs", "sqrt", "real")}({Real(depth + 1, particle)})",
            2 => $"{Pick("min", "max")}({Real(depth + 1, particle)}, {Real(depth + 1, particle)})",
            3 => $"{Int(depth + 1, particle)} * 1.0",
            4 => particle is null ? "t" : $"real(prm({particle}))",
            5 => $"real(logp(policy, {Text(depth + 1, particle)}, after: q))",
            _ => $"0.1 * count({particle ?? "q"}, \"a\")",
        };
    }

    private string Bool(int depth, string? particle = null)
    {
        if (Chance(60))
        {
            return Nest(Bool(depth, particle), "not ");
        }

        if (depth > 3 || Chance(3))
        {
            return Pick("true", "false");
        }

        return _random.Next(8) switch
        {
            0 => $"{Int(depth + 1, particle)} {Pick("<", "<=", ">", ">=", "==", "!=")} {Int(depth + 1, particle)}",
            1 => $"{Text(depth + 1, particle)} {Pick("==", "!=")} {Text(depth + 1)}",
            2 => $"{Pick("contains", "starts_with", "ends_with")}({Text(depth + 1, particle)}, {Text(depth + 1)})",
            3 => $"matches({Text(depth + 1, particle)}, \"{Or(Pick(Patterns[..4]), Patterns)}\")",
            4 => $"matches({Text(depth + 1, particle)}, {Or("\"a\"", Text(depth + 1))})",
            5 => $"{Bool(depth + 1, particle)} {Pick("and", "or")} {Bool(depth + 1, particle)}",
            6 => $"not {Bool(depth + 1, particle)}",
            _ => $"valid({particle ?? Text(depth + 1)})",
        };
    }

    /// <summary>An expression wrapped in parentheses or prefix operators: mostly shallow, sometimes at or past the limits.</summary>
    private string Nest(string expression, string? prefix)
    {
        var depth = _random.Next(10) switch
        {
            < 7 => _random.Next(1, 4),
            < 9 => _random.Next(100, 140),
            _ => _random.Next(200, 3000),
        };
        var kind = _random.Next(3);
        if (prefix is null && !_hostile)
        {
            kind = 0; // a text is only parenthesized
        }

        prefix ??= "-";
        if (!_hostile)
        {
            depth = Math.Min(depth, kind == 0 ? 120 : 60); // "(-" nests twice per level
        }

        var builder = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            builder.Append(kind switch { 0 => "(", 1 => prefix, _ => "(" + prefix });
        }

        builder.Append(expression);
        if (kind != 1)
        {
            builder.Append(')', depth);
        }

        return builder.ToString();
    }

    /// <summary>A sum (or product, or conjunction) of many terms: the parse tree's depth grows with the term count.</summary>
    private string LongSum(Func<string> term, params string[] operators)
    {
        var terms = Chance(15) ? _random.Next(_hostile ? 400 : 100, _hostile ? 700 : 300) : _random.Next(2, 12);
        var op = Or(Pick(operators), " * ", " and ");
        return string.Join(op, Enumerable.Range(0, terms).Select(_ => term()));
    }

    private string StringLiteral()
    {
        var builder = new StringBuilder("\"");
        var pieces = _random.Next(0, 5);
        for (var i = 0; i < pieces; i++)
        {
            builder.Append(_hostile && Chance(10) ? Pick(BadTextPieces) : Pick(TextPieces));
        }

        return builder.Append('"').ToString();
    }

    private void MaybeComment()
    {
        if (!Chance(4))
        {
            return;
        }

        var text = string.Concat(Enumerable.Range(0, _random.Next(0, 4)).Select(_ => Pick(TextPieces)));
        if (!_hostile)
        {
            text = text.Replace("*/", "* /", StringComparison.Ordinal);
        }

        _out.Append(Chance(2) ? $"// {text.Replace("\n", " ", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal)}\n" : $"/* {text} */\n");
    }

    /// <summary>Deletes, inserts, duplicates or swaps one character or a short run of them.</summary>
    private string Mutate(string text)
    {
        if (text.Length == 0)
        {
            return Pick(Insertions);
        }

        var at = _random.Next(text.Length);
        var length = Math.Min(text.Length - at, _random.Next(1, 12));
        return _random.Next(4) switch
        {
            0 => text.Remove(at, length),
            1 => text.Insert(at, Pick(Insertions)),
            2 => text.Insert(at, text.Substring(at, length)),
            _ => text.Insert(_random.Next(text.Length), text.Substring(at, length)).Remove(at, length),
        };
    }

    private bool Chance(int oneIn) => _random.Next(oneIn) == 0;

    /// <summary><paramref name="valid"/>, or in a hostile program one time in three one of <paramref name="hostile"/>.</summary>
    private string Or(string valid, params string[] hostile) => _hostile && Chance(3) ? Pick(hostile) : valid;

    private string Pick(params string[] choices) => choices[_random.Next(choices.Length)];

    /// <summary>Whether the last program was drawn with out-of-range values and misplaced pieces (else it aims to be valid).</summary>
    public bool Hostile => _hostile;
}
