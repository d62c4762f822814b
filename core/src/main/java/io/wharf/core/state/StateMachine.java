package io.wharf.core.state;

import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.protocol.AwsServiceException;
import io.wharf.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of the control-plane state.
 *
 * <pre>
 *  callers ──submit(command)──▶ queue ──▶ writer thread
 *                                          │ for each command of a batch:
 *                                          │   run against the working state → changes
 *                                          │ store.commit(all changes)   (one fsync per batch)
 *                                          │ publish the new state
 *                                          ▼ complete every caller of the batch
 * </pre>
 *
 * <p>Commands run one at a time against the newest state, so a command's validation sees every
 * earlier command. A batch of commands shares one durable commit (group commit): nobody is answered
 * before the changes of their command are on disk. A command that throws leaves no trace: the state
 * is immutable, so its half-made changes are simply dropped.
 *
 * <p>Threading: {@link #execute} is safe from any thread and blocks until the command's changes are
 * durable. {@link #current} never blocks.
 */
public final class StateMachine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StateMachine.class);

  /** Bounds one commit, so a burst of writers cannot make one transaction (and its wait) huge. */
  private static final int MAX_BATCH = 512;

  /**
   * A unit of work against the state: validates, reads, and records changes through the
   * transaction.
   */
  @FunctionalInterface
  public interface Command<R> {
    R run(Transaction tx);
  }

  /** What a running command sees: the working state, the clock, and where its changes go. */
  public static final class Transaction {
    private State state;
    private final long revision;
    private final Instant now;
    private final List<Change> changes = new ArrayList<>();

    private Transaction(State state, long revision, Instant now) {
      this.state = state;
      this.revision = revision;
      this.now = now;
    }

    /** The state including this command's own changes so far. */
    public State state() {
      return state;
    }

    /** The revision this command's changes will carry if it changes anything. */
    public long revision() {
      return revision;
    }

    /** The time of this command, read once from the injected clock. */
    public Instant now() {
      return now;
    }

    public void apply(Change change) {
      state = state.apply(change);
      changes.add(change);
    }
  }

  private record Pending<R>(Command<R> command, CompletableFuture<R> result) {}

  private final Store store;
  private final Codec codec = new Codec();
  private final Clock clock;
  private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile State current;
  private volatile boolean closed;

  /** Loads the state from the store and starts the writer thread. */
  public StateMachine(Store store, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.current = codec.load(store.load());
    this.writer =
        Thread.ofPlatform().name("wharf-state-machine").daemon(true).start(this::writeLoop);
  }

  /** The clock commands are stamped with (controllers schedule by it too). */
  public Clock clock() {
    return clock;
  }

  /** The newest committed state. */
  public State current() {
    return current;
  }

  /**
   * Runs a command on the writer thread and waits until its changes are durable.
   *
   * @throws WharfException the command's own error, or a {@code ServerException} when the store
   *     failed (then nothing of the command was applied)
   * @throws AwsServiceException the command's own error in its service model's shape (nothing of
   *     the command was applied)
   */
  public <R> R execute(Command<R> command) {
    if (closed) {
      throw new WharfException(ErrorCode.SERVER, "The server is shutting down.");
    }
    CompletableFuture<R> result = new CompletableFuture<>();
    queue.add(new Pending<>(command, result));
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WharfException(
          ErrorCode.SERVER, "Interrupted while waiting for the state machine.", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new WharfException(ErrorCode.SERVER, "The command failed.", e.getCause());
    }
  }

  private void writeLoop() {
    List<Pending<?>> batch = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        if (closed) {
          break;
        }
        continue;
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      runBatch(batch);
      batch.clear();
    }
    // Anyone still waiting after shutdown is told so rather than left hanging.
    Pending<?> leftover;
    while ((leftover = queue.poll()) != null) {
      leftover
          .result()
          .completeExceptionally(
              new WharfException(ErrorCode.SERVER, "The server is shutting down."));
    }
  }

  private void runBatch(List<Pending<?>> batch) {
    State start = current;
    State working = start;
    long revision = start.revision();
    List<Change> changes = new ArrayList<>();
    List<Runnable> completions = new ArrayList<>(batch.size());
    for (Pending<?> pending : batch) {
      Transaction tx = new Transaction(working, revision + 1, clock.instant());
      completions.add(run(pending, tx));
      if (!tx.changes.isEmpty()) {
        revision++;
        working = tx.state.withRevision(revision);
        changes.addAll(tx.changes);
      }
    }
    if (!changes.isEmpty()) {
      try {
        store.commit(revision, changes.stream().map(codec::toMutation).toList());
      } catch (RuntimeException e) {
        log.error(
            "Committing {} changes at revision {} failed; the batch is refused",
            changes.size(),
            revision,
            e);
        WharfException fault =
            new WharfException(
                ErrorCode.SERVER, "The change could not be stored. Try again later.", e);
        batch.forEach(p -> p.result().completeExceptionally(fault));
        return;
      }
      current = working;
    }
    completions.forEach(Runnable::run);
  }

  /** Runs one command; returns how to answer its caller once the batch is durable. */
  private static <R> Runnable run(Pending<R> pending, Transaction tx) {
    try {
      R value = pending.command().run(tx);
      return () -> pending.result().complete(value);
    } catch (WharfException | AwsServiceException e) {
      // A refusal, in Wharf's codes or in a service model's own error shapes: the command's
      // changes are dropped with it, and its caller gets the error as it was thrown.
      tx.changes.clear();
      return () -> pending.result().completeExceptionally(e);
    } catch (RuntimeException e) {
      tx.changes.clear();
      log.error("Command failed unexpectedly; nothing of it was applied", e);
      WharfException fault = new WharfException(ErrorCode.SERVER, "An internal error occurred.", e);
      return () -> pending.result().completeExceptionally(fault);
    }
  }

  /** Stops taking commands, finishes the queued ones, and closes the store. */
  @Override
  public void close() {
    closed = true;
    writer.interrupt();
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }
}
