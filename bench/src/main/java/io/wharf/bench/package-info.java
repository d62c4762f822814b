/**
 * Benchmarks: each prints its figures and the baseline measured in the same run.
 *
 * <p>Benchmarks are not tests: they never pass or fail on time, only on wrong answers. A figure
 * includes everything a client pays: signing, HTTP, the server, the disk.
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
 *
 *  PlacementBench ─▶ Simulation (this JVM: the real control plane, N simulated instances)
 *        │                      ▲ HTTP on loopback
 *        └─▶ ClosedLoop ─ k threads ─ SignedEcs ─┘   latencies ─▶ HdrHistogram ─▶ Markdown report
 *        └─▶ WharfServer alone on a copy of the data (memory, start-up)
 *
 *  ServiceBench ─┬─▶ SimulatedServices ─▶ Simulation (fresh per run; in-process calls, virtual time)
 *                │     CreateService / UpdateService, advance(1 s) … until ServicesStable's condition
 *                │     baselines: RunTask of the same tasks; idle steps
 *                └─▶ DockerServices ─ EcsClient ─▶ WharfServer ─▶ WharfAgent ─▶ Docker engine
 *                      CreateService(20) against 20 × docker run -d (DockerCli)     ▲
 *                      per-repeat durations ─▶ Samples (median) ─▶ Markdown report ─┘
 * </pre>
 *
 * <p>TaskDefinitionBench drives a real {@code wharf server} (a child JVM, as a user runs it) with
 * the AWS SDK. PlacementBench needs thousands of container instances, so it uses the simulation
 * harness: the real control plane with simulated agents in its own JVM, driven over real HTTP with
 * SigV4-signed requests. ServiceBench uses both: the simulation for services of thousands of tasks,
 * and the real {@code wharf server} and {@code wharf agent} for a service on the Docker engine.
 */
package io.wharf.bench;
