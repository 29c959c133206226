package org.serverhold.resolver.denial;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.serverhold.resolver.policy.Decision;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Builds the local answer to a denied query: the configured rcode or redirect, plus (only when
 * the query carried EDNS) an Extended DNS Error naming the reason and its reference, so an
 * operator or user can see why the name does not resolve.
 */
public final class DenialResponder {
  private static final int MAX_TEXT = 200;

  private final DenialPolicy policy;
  private final int udpPayload;

  /** @param udpPayload the payload size this server advertises in its OPT record */
  public DenialResponder(DenialPolicy policy, int udpPayload) {
    this.policy = policy;
    this.udpPayload = udpPayload;
  }

  public DenialAction actionFor(Decision decision) {
    return policy.actionFor(decision.reason());
  }

  /** The EDE text: {@code serverhold: TAKEDOWN case 2026-123}. */
  public static String text(Decision decision) {
    String t = "serverhold: " + decision.reason() + (decision.reference().isEmpty() ? "" : " " + decision.reference());
    return t.length() > MAX_TEXT ? t.substring(0, MAX_TEXT) : t;
  }

  public Message deny(Message query, Decision decision) {
    DenialAction action = actionFor(decision);
    Header qh = query.getHeader();
    Message r = new Message(qh.getID());
    Header h = r.getHeader();
    h.setFlag(Flags.QR);
    h.setOpcode(qh.getOpcode());
    if (qh.getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    h.setFlag(Flags.RA);
    Record question = query.getQuestion();
    if (question != null) {
      r.addRecord(question, Section.QUESTION);
    }
    switch (action.kind()) {
      case NXDOMAIN -> h.setRcode(Rcode.NXDOMAIN);
      case NODATA -> h.setRcode(Rcode.NOERROR);
      case REFUSED -> h.setRcode(Rcode.REFUSED);
      case REDIRECT -> {
        h.setRcode(Rcode.NOERROR);
        if (question != null && question.getDClass() == DClass.IN) {
          for (Record a : redirect(question, action)) {
            r.addRecord(a, Section.ANSWER);
          }
        }
      }
    }
    OPTRecord qopt = query.getOPT();
    if (qopt != null) {
      List<EDNSOption> options = List.of(new ExtendedErrorCodeOption(action.edeCode(), text(decision)));
      r.addRecord(new OPTRecord(udpPayload, 0, 0, qopt.getFlags() & org.xbill.DNS.ExtendedFlags.DO, options),
          Section.ADDITIONAL);
    }
    return r;
  }

  private static List<Record> redirect(Record question, DenialAction action) {
    List<Record> out = new ArrayList<>();
    int type = question.getType();
    if (type == Type.A || type == Type.ANY) {
      for (InetAddress a : action.redirectV4()) {
        out.add(new ARecord(question.getName(), DClass.IN, action.redirectTtl(), a));
      }
    }
    if (type == Type.AAAA || type == Type.ANY) {
      for (InetAddress a : action.redirectV6()) {
        out.add(new AAAARecord(question.getName(), DClass.IN, action.redirectTtl(), a));
      }
    }
    return out;
  }
}
