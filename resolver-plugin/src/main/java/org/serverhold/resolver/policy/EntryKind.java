package org.serverhold.resolver.policy;

/** What a policy entry is keyed as; the same name may carry one entry of each kind. */
public enum EntryKind {
  /** A registrable name under a managed zone: ALLOW or DENY with a reason. */
  DOMAIN,
  /** A flag on exactly that name. */
  FLAG_EXACT,
  /** A flag on the name and every name below it. */
  FLAG_SUBTREE
}
