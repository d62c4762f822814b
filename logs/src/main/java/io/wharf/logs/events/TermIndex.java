package io.wharf.logs.events;

import java.util.List;

/**
 * A chunk's term index: a Bloom filter of the character trigrams of its messages. CloudWatch's
 * terms match anywhere in a message (not only whole words), so the index answers "may this chunk
 * hold this text?" for any literal of three characters or more: every trigram of the literal must
 * be in the filter. A rare term thus skips nearly every chunk without decompressing it; a "no" is
 * always right, a "yes" may be wrong (then the chunk is read and the pattern decides).
 */
final class TermIndex {
  /** Bounds a chunk's filter (64 KiB) so that a huge batch does not carry a huge index. */
  static final int MAX_BITS = 1 << 19;

  private static final int MIN_BITS = 1 << 10;

  private final long[] bits;
  private final int mask;

  private TermIndex(long[] bits) {
    this.bits = bits;
    this.mask = bits.length * 64 - 1;
  }

  /** The index of a chunk's messages, about 4 bits per trigram for a low false-positive rate. */
  static TermIndex of(List<String> messages) {
    long trigrams = 0;
    for (String m : messages) {
      trigrams += Math.max(0, m.length() - 2);
    }
    long wanted = Math.max(MIN_BITS, Math.min(MAX_BITS, trigrams * 4));
    int size = Integer.highestOneBit((int) (wanted - 1)) << 1;
    TermIndex index = new TermIndex(new long[Math.max(1, size / 64)]);
    for (String m : messages) {
      for (int i = 0; i + 3 <= m.length(); i++) {
        index.add(trigram(m, i));
      }
    }
    return index;
  }

  static TermIndex fromWords(long[] words) {
    if (words.length == 0 || Integer.bitCount(words.length) != 1) {
      throw new IllegalArgumentException("A term index has a power of two of words");
    }
    return new TermIndex(words);
  }

  long[] words() {
    return bits;
  }

  /** False when no message of the chunk contains {@code literal}. */
  boolean mayContain(String literal) {
    for (int i = 0; i + 3 <= literal.length(); i++) {
      long h = trigram(literal, i);
      if (!has(h)) {
        return false;
      }
    }
    return true;
  }

  private static long trigram(String s, int i) {
    long t = ((long) s.charAt(i) << 32) | ((long) s.charAt(i + 1) << 16) | s.charAt(i + 2);
    // A 64-bit mix (splitmix64's finaliser): two bit positions come from its halves.
    t = (t ^ (t >>> 30)) * 0xbf58476d1ce4e5b9L;
    t = (t ^ (t >>> 27)) * 0x94d049bb133111ebL;
    return t ^ (t >>> 31);
  }

  private void add(long h) {
    int a = (int) h & mask;
    int b = (int) (h >>> 32) & mask;
    bits[a >>> 6] |= 1L << a;
    bits[b >>> 6] |= 1L << b;
  }

  private boolean has(long h) {
    int a = (int) h & mask;
    int b = (int) (h >>> 32) & mask;
    return (bits[a >>> 6] & (1L << a)) != 0 && (bits[b >>> 6] & (1L << b)) != 0;
  }
}
