package org.serverhold.resolver.sync;

import java.time.Duration;
import java.util.Optional;

/** What the gateway reports about the policy feed (for metrics and health). */
public interface FeedStatus {
  /** The applied version; -1 with no policy. */
  long version();

  /** True while a watch stream to the registry is up. */
  boolean connected();

  /** Commit-to-apply delay of the last changeset applied, if any. */
  Optional<Duration> lastChangesetLag();

  /** Versions the registry has beyond ours, as of its last word (0 when unknown). */
  long versionsBehind();

  /** Time since the registry was last heard from; empty if never. */
  Optional<Duration> sinceLastContact();

  /** Failed attempts to write the policy file since start (the previous file stays as it was). */
  default long persistFailures() {
    return 0;
  }
}
