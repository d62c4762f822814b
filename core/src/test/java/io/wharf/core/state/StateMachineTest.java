package io.wharf.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.model.Cluster;
import io.wharf.model.ClusterStatus;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.protocol.AwsServiceException;
import io.wharf.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

public class StateMachineTest {
  /** An in-memory store that records commits and can be told to fail. */
  public static final class MemoryStore implements Store {
    final List<List<Mutation>> commits = new ArrayList<>();
    final List<Row> rows = new ArrayList<>();
    volatile boolean broken;
    long revision;

    @Override
    public Snapshot load() {
      return new Snapshot(revision, rows);
    }

    @Override
    public synchronized void commit(long revision, List<Mutation> mutations) {
      if (broken) {
        throw new IllegalStateException("disk on fire");
      }
      this.revision = revision;
      commits.add(mutations);
    }

    @Override
    public void close() {}
  }

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

  static Cluster cluster(String name, long revision) {
    return new Cluster(
        "arn:aws:ecs:us-east-1:123456789012:cluster/" + name,
        name,
        ClusterStatus.ACTIVE,
        List.of(),
        List.of(),
        null,
        null,
        revision);
  }

  static StateMachine.Command<Cluster> create(String name) {
    return tx -> {
      if (tx.state().clusters().containsKey(name)) {
        throw WharfException.invalidParameter("exists: " + name);
      }
      Cluster c = cluster(name, tx.revision());
      tx.apply(new Change.ClusterPut(c));
      return c;
    };
  }

  @Test
  void eachChangingCommandGetsTheNextRevisionAndIsStoredBeforeItIsAnswered() {
    MemoryStore store = new MemoryStore();
    try (StateMachine sm = new StateMachine(store, CLOCK)) {
      assertThat(sm.execute(create("a")).revision()).isEqualTo(1);
      assertThat(sm.execute(create("b")).revision()).isEqualTo(2);
      // A read-only command changes nothing and takes no revision.
      int count = sm.execute(tx -> tx.state().clusters().size());
      assertThat(count).isEqualTo(2);
      assertThat(sm.current().revision()).isEqualTo(2);
      assertThat(store.revision).isEqualTo(2);
      assertThat(store.commits).hasSize(2);
    }
  }

  @Test
  void aFailingCommandLeavesNoTrace() {
    MemoryStore store = new MemoryStore();
    try (StateMachine sm = new StateMachine(store, CLOCK)) {
      sm.execute(create("a"));
      State before = sm.current();
      assertThatThrownBy(
              () ->
                  sm.execute(
                      tx -> {
                        tx.apply(new Change.ClusterPut(cluster("half", tx.revision())));
                        throw WharfException.invalidParameter("changed my mind");
                      }))
          .isInstanceOf(WharfException.class)
          .hasMessage("changed my mind");
      assertThat(sm.current()).isSameAs(before);
      assertThat(sm.current().clusters()).doesNotContainKey("half");
      assertThat(store.commits).hasSize(1);
    }
  }

  @Test
  void aRefusalInAServiceModelsOwnShapeReachesTheCallerAsItIsAndLeavesNoTrace() {
    MemoryStore store = new MemoryStore();
    try (StateMachine sm = new StateMachine(store, CLOCK)) {
      sm.execute(create("a"));
      State before = sm.current();
      AwsServiceException refusal =
          new AwsServiceException(
              "ResourceAlreadyExistsException", "The specified log group already exists");
      assertThatThrownBy(
              () ->
                  sm.execute(
                      tx -> {
                        tx.apply(new Change.ClusterPut(cluster("half", tx.revision())));
                        throw refusal;
                      }))
          .isSameAs(refusal);
      assertThat(sm.current()).isSameAs(before);
      assertThat(store.commits).hasSize(1);
    }
  }

  @Test
  void aStoreFailureRefusesTheCommandAndKeepsTheOldState() {
    MemoryStore store = new MemoryStore();
    try (StateMachine sm = new StateMachine(store, CLOCK)) {
      sm.execute(create("a"));
      store.broken = true;
      assertThatThrownBy(() -> sm.execute(create("b")))
          .isInstanceOfSatisfying(
              WharfException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SERVER));
      assertThat(sm.current().clusters()).containsOnlyKeys("a");
      store.broken = false;
      // The revision the failed command would have used is given to the next one.
      assertThat(sm.execute(create("b")).revision()).isEqualTo(2);
    }
  }

  @Test
  void concurrentCommandsSeeEachOtherAndNeverDuplicate() throws Exception {
    MemoryStore store = new MemoryStore();
    try (StateMachine sm = new StateMachine(store, CLOCK);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      // 200 callers race to create 20 names: each name is created exactly once.
      for (int i = 0; i < 200; i++) {
        String name = "c" + (i % 20);
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    sm.execute(create(name));
                    return true;
                  } catch (WharfException e) {
                    return false;
                  }
                }));
      }
      go.countDown();
      int created = 0;
      for (Future<Boolean> f : results) {
        created += f.get() ? 1 : 0;
      }
      assertThat(created).isEqualTo(20);
      assertThat(sm.current().clusters()).hasSize(20);
      assertThat(sm.current().revision()).isEqualTo(20);
      // Group commit: fewer store commits than commands is allowed, never more.
      assertThat(store.commits.size()).isLessThanOrEqualTo(20);
      assertThat(store.commits.stream().mapToInt(List::size).sum()).isEqualTo(20);
    }
  }

  @Test
  void stateIsRebuiltFromStoredRows() {
    MemoryStore store = new MemoryStore();
    try (StateMachine sm = new StateMachine(store, CLOCK)) {
      sm.execute(create("kept"));
    }
    MemoryStore reopened = new MemoryStore();
    reopened.revision = store.revision;
    Codec codec = new Codec();
    store.commits.forEach(
        c ->
            c.forEach(
                m -> {
                  Store.Mutation.Put put = (Store.Mutation.Put) m;
                  reopened.rows.add(new Store.Row(put.kind(), put.key(), put.json()));
                }));
    State state = codec.load(reopened.load());
    assertThat(state.revision()).isEqualTo(1);
    assertThat(state.clusters().get("kept")).isEqualTo(cluster("kept", 1));
  }
}
