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
    visit(EntryKind.DOMAIN, state.domains(), sink);
    visit(EntryKind.FLAG_EXACT, state.exactFlags(), sink);
    visit(EntryKind.FLAG_SUBTREE, state.subtreeFlags(), sink);
  }

  private void visit(EntryKind kind, NameTable table, EntrySink sink) throws java.io.IOException {
    Decision[] decisions = state.decisions();
    try {
      table.forEach((arena, off, len, id) -> {
        try {
          sink.accept(kind, WireNames.toText(arena, off, len), decisions[id]);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
