package org.serverhold.resolver.policy;

import java.util.List;

/**
 * One immutable version of the policy. The engine publishes a new instance with a single
 * volatile write, so a reader sees one version from start to end of a decision.
 *
 * @param version  the feed version; -1 before any policy was loaded
 * @param loaded   false while running on bootstrap zones only (fail mode applies)
 * @param decisions interned decisions, indexed by the ids stored in the tables; 0 is ALLOW
 */
record PolicyState(long version, boolean loaded, List<String> zoneNames, NameTable zones, NameTable domains,
    NameTable exactFlags, NameTable subtreeFlags, Decision[] decisions) {

  long names() {
    return domains.size() + exactFlags.size() + subtreeFlags.size();
  }
}
