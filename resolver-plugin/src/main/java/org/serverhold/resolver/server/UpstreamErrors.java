package org.serverhold.resolver.server;

import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The Extended DNS Error (RFC 8914) of a SERVFAIL given because no upstream resolver answered:
 * 22 No Reachable Authority when they all timed out, 23 Network Error when the last one failed
 * otherwise (refused, unreachable, a send error). Only added when the query carried EDNS.
 */
final class UpstreamErrors {
  static final String TIMEOUT_TEXT = "serverhold: no upstream answered";
  static final String NETWORK_TEXT = "serverhold: upstream unreachable";

  private UpstreamErrors() {}

  static int code(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof SocketTimeoutException) {
        return ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY;
      }
    }
    return ExtendedErrorCodeOption.NETWORK_ERROR;
  }

  /** {@code servfail} (an answer built by the gateway) with its OPT record carrying the EDE. */
  static Message withEde(Message servfail, Throwable failure) {
    OPTRecord opt = servfail.getOPT();
    if (opt == null) {
      return servfail; // the query had no EDNS: no place for an EDE
    }
    int code = code(failure);
    String text = code == ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY ? TIMEOUT_TEXT : NETWORK_TEXT;
    for (Record r : List.copyOf(servfail.getSection(Section.ADDITIONAL))) {
      if (r.getType() == Type.OPT) {
        servfail.removeRecord(r, Section.ADDITIONAL);
      }
    }
    servfail.addRecord(new OPTRecord(opt.getPayloadSize(), opt.getExtendedRcode(), opt.getVersion(), opt.getFlags(),
        List.of(new ExtendedErrorCodeOption(code, text))), Section.ADDITIONAL);
    return servfail;
  }
}
