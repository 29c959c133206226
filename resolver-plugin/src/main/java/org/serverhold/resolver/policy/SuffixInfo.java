package org.serverhold.resolver.policy;

/**
 * What the policy says about a name as an ancestor of queries: whether it is a managed zone and
 * which flags sit on it. One table of these is probed for every label of a query, so zones and
 * both kinds of flags cost a single lookup per label.
 *
 * @param exact   decision of a FLAG_EXACT entry on the name, or null
 * @param subtree decision of a FLAG_SUBTREE entry on the name, or null
 */
record SuffixInfo(boolean zone, Decision exact, Decision subtree) {
  static final SuffixInfo NONE = new SuffixInfo(false, null, null);

  boolean isEmpty() {
    return !zone && exact == null && subtree == null;
  }

  int flags() {
    return (exact == null ? 0 : 1) + (subtree == null ? 0 : 1);
  }

  SuffixInfo withZone(boolean z) {
    return new SuffixInfo(z, exact, subtree);
  }

  SuffixInfo withFlag(EntryKind kind, Decision d) {
    return kind == EntryKind.FLAG_EXACT ? new SuffixInfo(zone, d, subtree) : new SuffixInfo(zone, exact, d);
  }
}
