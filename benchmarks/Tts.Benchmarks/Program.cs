using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Tts.Benchmarks;

// In-process: the benchmarks run inside this build, so the repo's build settings apply and nothing is generated.
Console.WriteLine($"benchmark program: {LargeProgram.Text.Split('\n').Length} lines");
var config = DefaultConfig.Instance.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(FrontEndBenchmarks).Assembly).Run(args, config);
