package org.serverhold.resolver.denial;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.serverhold.resolver.policy.Decision;
import org.serverhold.resolver.policy.PolicyEngine;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * Redirects count: an answer is denied when any name of its CNAME/DNAME chain is denied, so a
 * filed name cannot be used as a doorway to a flagged or unfiled one.
 */
public final class ChainCheck {
  private ChainCheck() {}

  /** The names to check in an answer section: every owner, and every CNAME/DNAME target. */
  public static List<Name> names(List<Record> answer) {
    Set<Name> out = new LinkedHashSet<>();
    for (Record r : answer) {
      out.add(r.getName());
      if (r instanceof CNAMERecord c) {
        out.add(c.getTarget());
      } else if (r instanceof DNAMERecord d) {
        out.add(d.getTarget());
      }
    }
    return new ArrayList<>(out);
  }

  /** The first denial among {@code names}, if any. */
  public static Denied check(PolicyEngine engine, List<Name> names) {
    for (Name n : names) {
      Decision d = engine.decide(n);
      if (d.denied()) {
        return new Denied(n, d);
      }
    }
    return null;
  }

  /** A denial found on {@code name} of the chain. */
  public record Denied(Name name, Decision decision) {}
}
