#!/usr/bin/env python3
"""Mirrors src/Language/Diagnostics/DiagnosticDescriptors.cs into the generator's TtsDescriptors.cs and its
AnalyzerReleases.Unshipped.md (a test checks they agree). Run after adding a language diagnostic code."""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
source = (root / "src/Language/Diagnostics/DiagnosticDescriptors.cs").read_text()
items = re.findall(r'public static readonly DiagnosticDescriptor (\w+) = (Error|Warning)\("(TTS\d+)", "([^"]+)"', source)
items.sort(key=lambda item: item[2])

descriptors = root / "src/SourceGenerators/TtsDescriptors.cs"
text = descriptors.read_text()
head = text[: text.index("    public static readonly DiagnosticDescriptor ")]
tail = text[text.index("    private static readonly Dictionary<string, DiagnosticDescriptor> ById"):]
fields = "".join(f'    public static readonly DiagnosticDescriptor {n} = Create("{c}", "{t}", DiagnosticSeverity.{s});\n\n' for n, s, c, t in items)
listing = "    /// <summary>All of them, in code order.</summary>\n    public static readonly IReadOnlyList<DiagnosticDescriptor> All = new[]\n    {\n"
listing += "".join(f"        {n},\n" for n, _, _, _ in items) + "    };\n\n"
descriptors.write_text(head + fields + listing + tail)

releases = root / "src/SourceGenerators/AnalyzerReleases.Unshipped.md"
lines = [line for line in releases.read_text().split("\n") if not line.startswith("TTS0")]
at = lines.index("--------|----------|----------|-------") + 1
lines[at:at] = [f"{c} | Tts | {s} | {t}" for _, s, c, t in items]
releases.write_text("\n".join(lines))
