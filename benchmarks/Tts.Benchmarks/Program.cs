using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Tts.Benchmarks;

// In-process: the benchmarks run inside this build, so the repo's build settings apply and nothing is generated.
// The job: BenchmarkDotNet's short run by default (1 launch, 3 warm-up and 3 measured iterations: the whole suite in
// minutes on 2 cores); `--dry` runs each benchmark once (a check that it runs), `--long` the default job (tighter
// intervals). These two are this program's own options, taken out before BenchmarkDotNet reads the rest (--filter, --list...).
Console.WriteLine($"benchmark program: {LargeProgram.Text.Split('\n').Length} lines");
var job = args.Contains("--dry") ? Job.Dry : args.Contains("--long") ? Job.Default : Job.ShortRun;
var config = DefaultConfig.Instance.AddJob(job.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(FrontEndBenchmarks).Assembly).Run(args.Where(a => a is not ("--dry" or "--long")).ToArray(), config);
