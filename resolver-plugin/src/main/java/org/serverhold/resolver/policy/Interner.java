package org.serverhold.resolver.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Interns values to small ids: tens of millions of entries share a few thousand decisions, so
 * entries store an id and lookups return a shared instance instead of allocating. Writer-side
 * only (guarded by the engine's write lock); readers index the published array copy.
 */
final class Interner<T> {
  private final Map<T, Integer> ids = new HashMap<>();
  private final List<T> list = new ArrayList<>();
  private final IntFunction<T[]> arrays;
  private T[] published;

  Interner(IntFunction<T[]> arrays, T first) {
    this.arrays = arrays;
    this.published = arrays.apply(0);
    intern(first); // id 0
  }

  int intern(T value) {
    Integer id = ids.get(value);
    if (id != null) {
      return id;
    }
    int next = list.size();
    list.add(value);
    ids.put(value, next);
    return next;
  }

  /** The array readers index; copied only when values were added since the last call. */
  T[] snapshot() {
    if (published.length != list.size()) {
      published = list.toArray(arrays.apply(0));
    }
    return published;
  }
}
