using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Tts.Benchmarks;

// In-process: the benchmarks run inside this build, so the repo's build settings apply and nothing is generated.
// A short job (1 launch, 3 warm-up and 3 measured iterations) keeps the whole suite to minutes on 2 cores; with
// BenchmarkDotNet's own --job (e.g. --job default, for tighter intervals) that job replaces it. Filters: docs/performance.md.
Console.WriteLine($"benchmark program: {LargeProgram.Text.Split('\n').Length} lines");
var job = args.Contains("--job") ? Job.Default : Job.ShortRun;
var config = DefaultConfig.Instance.AddJob(job.WithToolchain(InProcessEmitToolchain.Instance).AsDefault());
BenchmarkSwitcher.FromAssembly(typeof(FrontEndBenchmarks).Assembly).Run(args, config);
