package org.serverhold.resolver.policy;

/** One change inside a changeset, mirroring the feed's {@code PolicyChange} oneof. */
public sealed interface PolicyChange {
  record Put(PolicyEntry entry) implements PolicyChange {}

  record Remove(EntryKind kind, String name) implements PolicyChange {}

  record AddZone(String zone) implements PolicyChange {}

  record RemoveZone(String zone) implements PolicyChange {}
}
