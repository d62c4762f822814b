package io.wharf.store;

import java.util.List;

/**
 * The durable store behind the control plane: a set of JSON rows keyed by kind and key, plus the
 * state revision they reflect.
 *
 * <p>Contract: {@link #commit} is atomic (all mutations or none) and durable (on disk, fsync'd)
 * when it returns; a crash at any moment leaves either the state before or the state after the
 * commit. Threading: one writer. {@link #load} and {@link #commit} are called from the control
 * plane's single state-machine thread and are not safe for concurrent use.
 */
public interface Store extends AutoCloseable {

  /** Reads every row. Called once at start, before any commit. */
  Snapshot load();

  /** Applies the mutations and records {@code revision} as the latest, atomically and durably. */
  void commit(long revision, List<Mutation> mutations);

  /** Releases the store (and its lock on the data directory). */
  @Override
  void close();

  /** One stored entity. */
  record Row(String kind, String key, String json) {}

  /** Everything stored, as of {@code revision}. */
  record Snapshot(long revision, List<Row> rows) {
    public Snapshot {
      rows = List.copyOf(rows);
    }
  }

  /** A change to one row. */
  sealed interface Mutation {
    String kind();

    String key();

    /** Inserts or replaces a row. */
    record Put(String kind, String key, String json) implements Mutation {}

    /** Removes a row; removing an absent row is not an error. */
    record Delete(String kind, String key) implements Mutation {}
  }
}
