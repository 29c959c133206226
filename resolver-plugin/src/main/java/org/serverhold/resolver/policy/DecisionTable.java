package org.serverhold.resolver.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Interns decisions: tens of millions of entries share a few thousand (reason, reference) pairs,
 * so entries store a small id and lookups return a shared instance instead of allocating.
 * Writer-side only (guarded by the engine's write lock); readers get the array copy.
 */
final class DecisionTable {
  private final Map<Decision, Integer> ids = new HashMap<>();
  private final List<Decision> list = new ArrayList<>();
  private Decision[] published = new Decision[0];

  DecisionTable() {
    intern(Decision.ALLOW); // id 0
  }

  int intern(Decision d) {
    Integer id = ids.get(d);
    if (id != null) {
      return id;
    }
    int next = list.size();
    list.add(d);
    ids.put(d, next);
    return next;
  }

  /** The array readers index; copied only when new decisions appeared since the last call. */
  Decision[] snapshot() {
    if (published.length != list.size()) {
      published = list.toArray(new Decision[0]);
    }
    return published;
  }
}
