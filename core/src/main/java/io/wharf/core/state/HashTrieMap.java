package io.wharf.core.state;

import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import org.pcollections.AbstractUnmodifiableMap;
import org.pcollections.PMap;

/**
 * A persistent hash map: a hash array mapped trie (Bagwell), 32 branches per level.
 *
 * <p>Why not pcollections' {@code HashTreePMap}: that is a binary tree of hash codes, about 14 to
 * 20 nodes deep at 10,000 keys, and every lookup chases a pointer per level. Placement looks up the
 * usage of hundreds of instances per RunTask; here a lookup visits about 3 nodes (32 × 32 × 32 =
 * 32,768 keys before the fourth level), which made those lookups several times cheaper.
 *
 * <pre>
 *  node: bitmap (which of the 32 slots of this level are used) + slots packed in order:
 *        slot = (key, value)            an entry
 *             | (null, child node)      keys that share this slot's 5 hash bits, one level down
 *  below 32 bits of hash: a collision node, a plain list of entries with the same hash
 * </pre>
 *
 * <p>Changing a map copies the nodes on one path (about 3 small arrays) and shares the rest.
 * Immutable and thread-safe. Keys and values must not be null.
 */
final class HashTrieMap<K, V> extends AbstractUnmodifiableMap<K, V> implements PMap<K, V> {
  private static final int BITS = 5;
  private static final int MASK = (1 << BITS) - 1;

  private static final HashTrieMap<?, ?> EMPTY = new HashTrieMap<>(BitmapNode.EMPTY, 0);

  private final Node root;
  private final int size;

  private HashTrieMap(Node root, int size) {
    this.root = root;
    this.size = size;
  }

  @SuppressWarnings("unchecked")
  static <K, V> HashTrieMap<K, V> empty() {
    return (HashTrieMap<K, V>) EMPTY;
  }

  /** Spreads the high bits down: the first levels use the low bits. */
  private static int hash(Object key) {
    int h = key.hashCode();
    return h ^ (h >>> 16);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  @SuppressWarnings("unchecked")
  public V get(Object key) {
    return key == null ? null : (V) root.get(key, hash(key), 0);
  }

  @Override
  public boolean containsKey(Object key) {
    return get(key) != null;
  }

  @Override
  public HashTrieMap<K, V> plus(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    boolean[] added = new boolean[1];
    Node next = root.plus(key, value, hash(key), 0, added);
    return next == root ? this : new HashTrieMap<>(next, added[0] ? size + 1 : size);
  }

  @Override
  public HashTrieMap<K, V> plusAll(Map<? extends K, ? extends V> map) {
    HashTrieMap<K, V> out = this;
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      out = out.plus(e.getKey(), e.getValue());
    }
    return out;
  }

  @Override
  public HashTrieMap<K, V> minus(Object key) {
    if (key == null) {
      return this;
    }
    Node next = root.minus(key, hash(key), 0);
    return next == root ? this : new HashTrieMap<>(next, size - 1);
  }

  @Override
  public HashTrieMap<K, V> minusAll(Collection<?> keys) {
    HashTrieMap<K, V> out = this;
    for (Object key : keys) {
      out = out.minus(key);
    }
    return out;
  }

  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<K, V>> iterator() {
        return new Entries<>(root);
      }

      @Override
      public int size() {
        return size;
      }
    };
  }

  /** A level of the trie. */
  private abstract static sealed class Node permits BitmapNode, CollisionNode {
    /** The value of {@code key}, or null. */
    abstract Object get(Object key, int hash, int shift);

    /** This node with the entry; this very node when nothing changed. */
    abstract Node plus(Object key, Object value, int hash, int shift, boolean[] added);

    /** This node without the key; this very node when it had none. */
    abstract Node minus(Object key, int hash, int shift);

    /** Slots in the node: entries and children. */
    abstract int slots();

    abstract Object keyAt(int slot);

    abstract Object valueAt(int slot);
  }

  /** 32 slots, the used ones packed in bitmap order; a slot's key is null for a child node. */
  private static final class BitmapNode extends Node {
    static final BitmapNode EMPTY = new BitmapNode(0, new Object[0]);

    final int bitmap;
    final Object[] array; // key0, value0, key1, value1, ...

    BitmapNode(int bitmap, Object[] array) {
      this.bitmap = bitmap;
      this.array = array;
    }

    private int index(int bit) {
      return Integer.bitCount(bitmap & (bit - 1));
    }

    @Override
    Object get(Object key, int hash, int shift) {
      int bit = 1 << ((hash >>> shift) & MASK);
      if ((bitmap & bit) == 0) {
        return null;
      }
      int i = 2 * index(bit);
      Object k = array[i];
      if (k == null) {
        return ((Node) array[i + 1]).get(key, hash, shift + BITS);
      }
      return key.equals(k) ? array[i + 1] : null;
    }

    @Override
    Node plus(Object key, Object value, int hash, int shift, boolean[] added) {
      int bit = 1 << ((hash >>> shift) & MASK);
      int i = 2 * index(bit);
      if ((bitmap & bit) == 0) {
        Object[] copy = new Object[array.length + 2];
        System.arraycopy(array, 0, copy, 0, i);
        copy[i] = key;
        copy[i + 1] = value;
        System.arraycopy(array, i, copy, i + 2, array.length - i);
        added[0] = true;
        return new BitmapNode(bitmap | bit, copy);
      }
      Object k = array[i];
      Object v = array[i + 1];
      if (k == null) {
        Node child = (Node) v;
        Node next = child.plus(key, value, hash, shift + BITS, added);
        return next == child ? this : with(i + 1, next);
      }
      if (key.equals(k)) {
        return v == value ? this : with(i + 1, value);
      }
      // Another key in this slot: both go one level down.
      added[0] = true;
      Node child = pair(k, v, hash(k), key, value, hash, shift + BITS);
      Object[] copy = array.clone();
      copy[i] = null;
      copy[i + 1] = child;
      return new BitmapNode(bitmap, copy);
    }

    private BitmapNode with(int index, Object value) {
      Object[] copy = array.clone();
      copy[index] = value;
      return new BitmapNode(bitmap, copy);
    }

    @Override
    Node minus(Object key, int hash, int shift) {
      int bit = 1 << ((hash >>> shift) & MASK);
      if ((bitmap & bit) == 0) {
        return this;
      }
      int i = 2 * index(bit);
      Object k = array[i];
      if (k == null) {
        Node child = (Node) array[i + 1];
        Node next = child.minus(key, hash, shift + BITS);
        if (next == child) {
          return this;
        }
        if (next.slots() == 1 && next.keyAt(0) != null) {
          // One entry left below: it moves up into this slot (the trie stays as shallow as it
          // would be had that key been the only one ever added here).
          Object[] copy = array.clone();
          copy[i] = next.keyAt(0);
          copy[i + 1] = next.valueAt(0);
          return new BitmapNode(bitmap, copy);
        }
        return with(i + 1, next);
      }
      if (!key.equals(k)) {
        return this;
      }
      if (array.length == 2) {
        return EMPTY;
      }
      Object[] copy = new Object[array.length - 2];
      System.arraycopy(array, 0, copy, 0, i);
      System.arraycopy(array, i + 2, copy, i, array.length - i - 2);
      return new BitmapNode(bitmap & ~bit, copy);
    }

    @Override
    int slots() {
      return array.length / 2;
    }

    @Override
    Object keyAt(int slot) {
      return array[2 * slot];
    }

    @Override
    Object valueAt(int slot) {
      return array[2 * slot + 1];
    }
  }

  /** Two entries that share the hash bits above {@code shift}, as the node(s) that hold them. */
  private static Node pair(Object k1, Object v1, int h1, Object k2, Object v2, int h2, int shift) {
    if (shift >= Integer.SIZE) {
      return new CollisionNode(h1, new Object[] {k1, v1, k2, v2});
    }
    int b1 = (h1 >>> shift) & MASK;
    int b2 = (h2 >>> shift) & MASK;
    if (b1 == b2) {
      return new BitmapNode(
          1 << b1, new Object[] {null, pair(k1, v1, h1, k2, v2, h2, shift + BITS)});
    }
    Object[] array = b1 < b2 ? new Object[] {k1, v1, k2, v2} : new Object[] {k2, v2, k1, v1};
    return new BitmapNode((1 << b1) | (1 << b2), array);
  }

  /** Entries whose whole 32-bit hash is the same, searched one by one. */
  private static final class CollisionNode extends Node {
    final int hash;
    final Object[] array; // key0, value0, ...

    CollisionNode(int hash, Object[] array) {
      this.hash = hash;
      this.array = array;
    }

    private int find(Object key) {
      for (int i = 0; i < array.length; i += 2) {
        if (key.equals(array[i])) {
          return i;
        }
      }
      return -1;
    }

    @Override
    Object get(Object key, int hash, int shift) {
      int i = this.hash == hash ? find(key) : -1;
      return i < 0 ? null : array[i + 1];
    }

    @Override
    Node plus(Object key, Object value, int hash, int shift, boolean[] added) {
      // Only keys of this very hash reach a collision node (it sits below all 32 bits).
      int i = find(key);
      if (i >= 0) {
        if (array[i + 1] == value) {
          return this;
        }
        Object[] copy = array.clone();
        copy[i + 1] = value;
        return new CollisionNode(hash, copy);
      }
      Object[] copy = Arrays.copyOf(array, array.length + 2);
      copy[array.length] = key;
      copy[array.length + 1] = value;
      added[0] = true;
      return new CollisionNode(hash, copy);
    }

    @Override
    Node minus(Object key, int hash, int shift) {
      int i = find(key);
      if (i < 0) {
        return this;
      }
      Object[] copy = new Object[array.length - 2];
      System.arraycopy(array, 0, copy, 0, i);
      System.arraycopy(array, i + 2, copy, i, array.length - i - 2);
      return new CollisionNode(hash, copy);
    }

    @Override
    int slots() {
      return array.length / 2;
    }

    @Override
    Object keyAt(int slot) {
      return array[2 * slot];
    }

    @Override
    Object valueAt(int slot) {
      return array[2 * slot + 1];
    }
  }

  /** Depth-first over the trie, each node's slots in order. */
  private static final class Entries<K, V> implements Iterator<Map.Entry<K, V>> {
    private final ArrayDeque<Node> nodes = new ArrayDeque<>();
    private final ArrayDeque<Integer> positions = new ArrayDeque<>();
    private Map.Entry<K, V> next;

    Entries(Node root) {
      nodes.push(root);
      positions.push(0);
      advance();
    }

    @SuppressWarnings("unchecked")
    private void advance() {
      next = null;
      while (!nodes.isEmpty()) {
        Node node = nodes.peek();
        int slot = positions.pop();
        if (slot >= node.slots()) {
          nodes.pop();
          continue;
        }
        positions.push(slot + 1);
        Object key = node.keyAt(slot);
        if (key == null) {
          nodes.push((Node) node.valueAt(slot));
          positions.push(0);
        } else {
          next = Map.entry((K) key, (V) node.valueAt(slot));
          return;
        }
      }
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public Map.Entry<K, V> next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      Map.Entry<K, V> out = next;
      advance();
      return out;
    }
  }
}
