/**
 * Benchmarks: each prints its figures and the baseline measured in the same run.
 *
 * <p>Benchmarks are not tests: they never pass or fail on time, only on wrong answers. They drive a
 * real {@code wharf server} (a child JVM, as a user runs it) with the AWS SDK, so a figure includes
 * everything a client pays: signing, HTTP, the server, the disk.
 *
 * <pre>
 *  TaskDefinitionBench ─▶ WharfServer (child JVM, temp data dir)
 *        │                      ▲
 *        └─▶ ClosedLoop ─ n × EcsClient ─┘   latencies ─▶ HdrHistogram ─▶ Markdown report
 *              (Workload: what to register and look up, from a fixed seed)
 *
 *  TaskStartBench ─ EcsClient ─▶ WharfServer ─ manifest ─▶ WharfAgent ─▶ Docker engine
 *        │   (RunTask, DescribeTasks every 50 ms)   (child JVMs: ChildJvm, VmRSS)   ▲
 *        └─ DockerCli: docker run -d, the baseline ─────────────────────────────────┘
 *              per-round durations ─▶ Samples (median, p90) ─▶ Markdown report
 * </pre>
 */
package io.wharf.bench;
