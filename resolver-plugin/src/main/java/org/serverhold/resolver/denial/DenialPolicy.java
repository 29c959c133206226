package org.serverhold.resolver.denial;

import java.util.EnumMap;
import java.util.Map;
import org.serverhold.resolver.policy.DenyReason;

/** Which {@link DenialAction} answers which {@link DenyReason}; unlisted reasons get the default. */
public record DenialPolicy(DenialAction defaultAction, Map<DenyReason, DenialAction> byReason) {
  public static final DenialPolicy DEFAULT = new DenialPolicy(DenialAction.DEFAULT, Map.of());

  public DenialPolicy {
    byReason = byReason.isEmpty() ? Map.of() : new EnumMap<>(byReason);
  }

  public DenialAction actionFor(DenyReason reason) {
    return byReason.getOrDefault(reason, defaultAction);
  }
}
