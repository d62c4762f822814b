package io.wharf.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.pcollections.PMap;

class HashTrieMapTest {
  /** A key whose hash code the test chooses, so that keys collide on some or all 32 bits. */
  record Key(String name, int hash) {
    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.name.equals(name);
    }
  }

  private static void assertSame(PMap<Key, Integer> trie, Map<Key, Integer> expected) {
    assertThat(trie).hasSize(expected.size());
    assertThat(trie).isEqualTo(expected);
    assertThat(expected).isEqualTo(trie);
    assertThat(trie.hashCode()).isEqualTo(expected.hashCode());
    List<Key> iterated = new ArrayList<>();
    trie.forEach((k, v) -> iterated.add(k));
    assertThat(new HashSet<>(iterated)).hasSize(iterated.size()).isEqualTo(expected.keySet());
  }

  /**
   * Property: after any sequence of puts and removes, the trie holds what a HashMap holds, and
   * every earlier version is unchanged. Hashes are drawn from a few patterns: random, sharing low
   * bits (deep paths), and equal (collision nodes).
   */
  @RepeatedTest(200)
  void behavesAsAHashMapAndKeepsEveryVersion(RepetitionInfo info) {
    SplittableRandom random = new SplittableRandom(info.getCurrentRepetition());
    int keys = 1 + random.nextInt(300);
    List<Key> pool = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      int hash =
          switch (random.nextInt(4)) {
            case 0 -> random.nextInt();
            case 1 -> random.nextInt(8) << 20; // same low 20 bits: four levels down
            case 2 -> 42; // every bit the same
            default -> random.nextInt(64);
          };
      pool.add(new Key("k" + i, hash));
    }
    PMap<Key, Integer> trie = HashTrieMap.empty();
    Map<Key, Integer> expected = new HashMap<>();
    List<PMap<Key, Integer>> versions = new ArrayList<>();
    List<Map<Key, Integer>> copies = new ArrayList<>();
    int steps = 1 + random.nextInt(1000);
    for (int s = 0; s < steps; s++) {
      Key key = pool.get(random.nextInt(pool.size()));
      if (random.nextInt(3) == 0) {
        trie = trie.minus(key);
        expected.remove(key);
      } else {
        int value = random.nextInt(5);
        trie = trie.plus(key, value);
        expected.put(key, value);
      }
      assertThat(trie.get(key)).isEqualTo(expected.get(key));
      if (s % 50 == 0) {
        versions.add(trie);
        copies.add(new HashMap<>(expected));
      }
    }
    assertSame(trie, expected);
    for (Key key : pool) {
      assertThat(trie.get(key)).isEqualTo(expected.get(key));
      assertThat(trie.containsKey(key)).isEqualTo(expected.containsKey(key));
    }
    for (int v = 0; v < versions.size(); v++) {
      assertSame(versions.get(v), copies.get(v));
    }
    // Removing everything leaves an empty map.
    for (Key key : pool) {
      trie = trie.minus(key);
    }
    assertThat(trie).isEmpty();
    assertThat(trie.entrySet().iterator().hasNext()).isFalse();
  }

  @Test
  void unchangedOperationsReturnTheSameMap() {
    PMap<String, String> trie = HashTrieMap.<String, String>empty().plus("a", "1");
    assertThat(trie.plus("a", "1")).isSameAs(trie);
    assertThat(trie.minus("b")).isSameAs(trie);
    assertThat(trie.minus(null)).isSameAs(trie);
    assertThat(trie.get(null)).isNull();
  }
}
