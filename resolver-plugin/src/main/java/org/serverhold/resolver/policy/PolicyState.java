package org.serverhold.resolver.policy;

import java.util.List;

/**
 * One immutable version of the policy. The engine publishes a new instance with a single
 * volatile write, so a reader sees one version from start to end of a decision.
 *
 * @param version     the feed version; -1 before any policy was loaded
 * @param loaded      false while running on bootstrap zones only (fail mode applies)
 * @param suffixes    zones and flags: name -> index into {@code suffixInfos}
 * @param domains     registrable names: name -> index into {@code decisions}
 * @param flags       number of flag entries
 */
record PolicyState(long version, boolean loaded, List<String> zoneNames, NameTable suffixes,
    SuffixInfo[] suffixInfos, NameTable domains, Decision[] decisions, long flags) {

  long names() {
    return domains.size() + flags;
  }
}
