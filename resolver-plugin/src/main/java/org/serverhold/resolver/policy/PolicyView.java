package org.serverhold.resolver.policy;

import java.util.List;

/**
 * A read-only view of one policy version, for persisting or inspecting it. It stays consistent
 * while the engine moves on (it holds the immutable state it was taken from).
 */
public final class PolicyView {
  private final PolicyState state;

  PolicyView(PolicyState state) {
    this.state = state;
  }

  public long version() {
    return state.version();
  }

  public boolean loaded() {
    return state.loaded();
  }

  public List<String> zones() {
    return state.zoneNames();
  }

  public long size() {
    return state.names();
  }

  /** Receives entries in table order. */
  @FunctionalInterface
  public interface EntrySink {
    void accept(EntryKind kind, String name, Decision decision) throws java.io.IOException;
  }

  public void forEachEntry(EntrySink sink) throws java.io.IOException {
    Decision[] decisions = state.decisions();
    SuffixInfo[] infos = state.suffixInfos();
    try {
      state.domains().forEach((arena, off, len, id) -> emit(sink, EntryKind.DOMAIN,
          WireNames.toText(arena, off, len), decisions[id]));
      state.suffixes().forEach((arena, off, len, id) -> {
        SuffixInfo info = infos[id];
        if (info.exact() != null) {
          emit(sink, EntryKind.FLAG_EXACT, WireNames.toText(arena, off, len), info.exact());
        }
        if (info.subtree() != null) {
          emit(sink, EntryKind.FLAG_SUBTREE, WireNames.toText(arena, off, len), info.subtree());
        }
      });
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static void emit(EntrySink sink, EntryKind kind, String name, Decision d) {
    try {
      sink.accept(kind, name, d);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
