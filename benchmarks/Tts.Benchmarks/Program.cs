using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Tts.Benchmarks;

// In-process: the benchmarks run inside this build, so the repo's build settings apply and nothing is generated.
// A short job (1 launch, 3 warm-up and 3 measured iterations) keeps the whole suite to minutes on 2 cores; pass
// BenchmarkDotNet's own --job default for tighter intervals. Filters: docs/performance.md.
Console.WriteLine($"benchmark program: {LargeProgram.Text.Split('\n').Length} lines");
var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(FrontEndBenchmarks).Assembly).Run(args, config);
