using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(SupportHub.Benchmarks.DueDateBenchmarks).Assembly).Run(args);
