package org.serverhold.resolver.server;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.serverhold.resolver.denial.ChainCheck;
import org.serverhold.resolver.denial.DenialResponder;
import org.serverhold.resolver.policy.Decision;
import org.serverhold.resolver.policy.PolicyEngine;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns one query packet into one answer packet (or none): validation, policy on the query name,
 * cache or upstream, policy on every name of the answer's chain (cached or fresh), then the
 * answer sized for the transport. Never throws: a packet that breaks something gets SERVFAIL or
 * nothing, and the server loops go on.
 */
final class QueryHandler {
  private static final Logger LOG = Logger.getLogger(QueryHandler.class.getName());
  private static final int CLASSIC_UDP = 512;

  private final PolicyEngine engine;
  private final AnswerCache cache;
  private final UpstreamPool upstreams;
  private final DenialResponder responder;
  private final DenialLog denialLog;
  private final GatewayMetrics metrics;
  private final int udpSize;
  private final Clock clock;
  private volatile ResponseRateLimiter rateLimiter; // null: answers are not rate limited
  private final boolean fastPath;

  QueryHandler(PolicyEngine engine, AnswerCache cache, UpstreamPool upstreams, DenialResponder responder,
      DenialLog denialLog, GatewayMetrics metrics, int udpSize, Clock clock) {
    this(engine, cache, upstreams, responder, denialLog, metrics, udpSize, clock, true);
  }

  /** @param fastPath false: every query takes the full dnsjava path (the reference the fast path is tested against) */
  QueryHandler(PolicyEngine engine, AnswerCache cache, UpstreamPool upstreams, DenialResponder responder,
      DenialLog denialLog, GatewayMetrics metrics, int udpSize, Clock clock, boolean fastPath) {
    this.fastPath = fastPath;
    this.engine = engine;
    this.cache = cache;
    this.upstreams = upstreams;
    this.responder = responder;
    this.denialLog = denialLog;
    this.metrics = metrics;
    this.udpSize = udpSize;
    this.clock = clock;
  }

  /** Limits UDP answers per client network from now on (set before serving). */
  void rateLimiter(ResponseRateLimiter limiter) {
    this.rateLimiter = limiter;
  }

  /**
   * Returned by {@link #handleLocally} when the answer needs an upstream: the caller then runs
   * {@link #resume} where waiting is cheap (a virtual thread).
   */
  static final byte[] NEEDS_UPSTREAM = new byte[0];

  /** The answer to {@code packet}, or null when nothing should be sent. */
  byte[] handle(byte[] packet, InetAddress client, Transport transport) {
    metrics.query(transport);
    byte[] limited = rateLimited(packet, client, transport);
    if (limited != NOT_LIMITED) {
      return limited;
    }
    return run(packet, client, transport, true);
  }

  /**
   * Like {@link #handle} but never waits: denials, cache hits and errors are answered at once
   * (most of a gateway's traffic, pure CPU work), anything else returns {@link #NEEDS_UPSTREAM}
   * having counted nothing but the query, so the caller can finish it with {@link #resume}.
   */
  byte[] handleLocally(byte[] packet, InetAddress client, Transport transport) {
    metrics.query(transport);
    byte[] limited = rateLimited(packet, client, transport);
    if (limited != NOT_LIMITED) {
      return limited;
    }
    return run(packet, client, transport, false);
  }

  /** Finishes a query {@link #handleLocally} returned {@link #NEEDS_UPSTREAM} for. */
  byte[] resume(byte[] packet, InetAddress client, Transport transport) {
    return run(packet, client, transport, true);
  }

  /** Marks "not rate limited" (null means: limited, send nothing). */
  private static final byte[] NOT_LIMITED = new byte[0];

  /** Response-rate limiting of UDP queries per client network: a slip answer, null (drop) or NOT_LIMITED. */
  private byte[] rateLimited(byte[] packet, InetAddress client, Transport transport) {
    ResponseRateLimiter rrl = rateLimiter;
    if (rrl != null && transport == Transport.UDP && packet.length >= Header.LENGTH && (packet[2] & 0x80) == 0) {
      ResponseRateLimiter.Verdict verdict = rrl.admit(client);
      if (verdict != ResponseRateLimiter.Verdict.ANSWER) {
        return rrl.limited(verdict, packet, metrics);
      }
    }
    return NOT_LIMITED;
  }

  private byte[] run(byte[] packet, InetAddress client, Transport transport, boolean mayWait) {
    try {
      return answer(packet, client, transport, mayWait);
    } catch (RuntimeException e) {
      metrics.internalError(); // the safety net caught a bug: counted, and the fuzz test fails on it
      LOG.log(Level.WARNING, "query from " + client + " failed", e);
      return packet.length >= Header.LENGTH && (packet[2] & 0x80) == 0 ? headerOnly(packet, Rcode.SERVFAIL) : null;
    }
  }

  private byte[] answer(byte[] packet, InetAddress client, Transport transport, boolean mayWait) {
    if (packet.length < Header.LENGTH) {
      metrics.malformed();
      return null; // not even a header: nobody to answer
    }
    if ((packet[2] & 0x80) != 0) {
      metrics.dropped();
      return null; // a response, not a query: answering could loop or reflect
    }
    WireQuery plain = fastPath ? WireQuery.parse(packet) : null;
    if (plain != null) {
      byte[] fast = fastAnswer(plain, packet, client, transport);
      if (fast != null) {
        return fast;
      }
    }
    if (QueryShape.questionNameCompressed(packet)) {
      metrics.malformed();
      return headerOnly(packet, Rcode.FORMERR); // no question echo: it would be larger than the query
    }
    Message query;
    try {
      query = new Message(packet);
    } catch (IOException | RuntimeException e) {
      metrics.malformed();
      return headerOnly(packet, Rcode.FORMERR);
    }
    Header qh = query.getHeader();
    if (qh.getOpcode() != Opcode.QUERY) {
      return finish(error(query, Rcode.NOTIMP), transport, CLASSIC_UDP);
    }
    long opts = query.getSection(Section.ADDITIONAL).stream().filter(r -> r.getType() == Type.OPT).count();
    if (qh.getCount(Section.QUESTION) != 1 || qh.getCount(Section.ANSWER) != 0
        || qh.getCount(Section.AUTHORITY) != 0 || opts > 1) {
      metrics.malformed();
      return finish(error(query, Rcode.FORMERR), transport, CLASSIC_UDP);
    }
    OPTRecord opt = query.getOPT();
    if (opt != null && opt.getVersion() != 0) {
      return finish(error(query, Rcode.BADVERS), transport, CLASSIC_UDP);
    }
    int limit = opt == null ? CLASSIC_UDP : Math.max(CLASSIC_UDP, Math.min(udpSize, opt.getPayloadSize()));
    Record question = query.getQuestion();
    int type = question.getType();
    if (type == Type.AXFR || type == Type.IXFR || question.getDClass() != DClass.IN) {
      return finish(error(query, Rcode.REFUSED), transport, limit);
    }
    Name qname = question.getName();
    Decision decision = engine.decide(qname);
    if (decision.denied()) {
      return finish(deny(query, decision, client, null), transport, limit);
    }

    boolean dnssecOk = opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0;
    boolean cd = qh.getFlag(Flags.CD);
    AnswerCache.Key key = new AnswerCache.Key(qname, type, question.getDClass(), dnssecOk, cd);
    AnswerCache.Cached cached = cache.get(key);
    if (cached != null) {
      metrics.cacheHit();
    } else {
      if (!mayWait) {
        return NEEDS_UPSTREAM;
      }
      metrics.cacheMiss();
      try {
        cached = cache.put(key, upstreams.resolve(question, dnssecOk, cd));
      } catch (IOException e) {
        LOG.log(Level.FINE, "upstreams failed for " + qname, e);
        return finish(UpstreamErrors.withEde(error(query, Rcode.SERVFAIL), e), transport, limit);
      }
    }
    // Redirects count, from the cache too: the policy may have changed since this was stored.
    ChainCheck.Denied denied = ChainCheck.check(engine, cached.chain());
    if (denied != null) {
      return finish(deny(query, denied.decision(), client, denied.name()), transport, limit);
    }
    return finish(fromCache(query, cached, dnssecOk), transport, limit);
  }

  /**
   * The fast path, for a query of the plain shape: the policy decided on the packet's bytes, and
   * a denial or a cache hit written as bytes, with no dnsjava message parsed or built (most of a
   * gateway's traffic). Null hands the query to the full path, which answers it from scratch:
   * REDIRECT denials, cache misses, chains with a denied name, answers too big for the client.
   */
  byte[] fastAnswer(WireQuery q, byte[] packet, InetAddress client, Transport transport) {
    int limit = transport != Transport.UDP ? Message.MAXLENGTH
        : q.edns() ? Math.max(CLASSIC_UDP, Math.min(udpSize, q.ednsPayload())) : CLASSIC_UDP;
    Decision decision = engine.decideWire(packet, Header.LENGTH);
    if (decision.denied()) {
      byte[] out = responder.denyWire(packet, q.questionEnd(), q.edns(), q.dnssecOk(), decision);
      if (out == null || out.length > limit) {
        return null;
      }
      metrics.denial(decision.reason());
      if (denialLog != null) {
        denialLog.log(clock.millis(), client, java.util.Arrays.copyOfRange(packet, Header.LENGTH, q.nameEnd()),
            q.type(), decision, engine.version(), null);
      }
      metrics.answer(out[3] & 0xf);
      return out;
    }
    boolean cd = (packet[3] & 0x10) != 0;
    AnswerCache.Cached cached = cache.get(AnswerCache.Key.ofWire(packet, Header.LENGTH, q.nameEnd(), q.type(),
        DClass.IN, q.dnssecOk(), cd));
    if (cached == null || cached.wire() == null) {
      return null;
    }
    for (byte[] name : cached.chainWire()) {
      if (engine.decideWire(name, 0).denied()) {
        return null; // the full path denies it and logs which name of the chain
      }
    }
    byte[] out = cached.wire().render(packet, q, cached.elapsedSeconds(cache.now()), cached.authenticated(), udpSize);
    if (out == null || out.length > limit) {
      return null;
    }
    metrics.cacheHit();
    metrics.answer(cached.rcode() & 0xf);
    return out;
  }

  private Message deny(Message query, Decision decision, InetAddress client, Name via) {
    metrics.denial(decision.reason());
    if (denialLog != null) {
      Record q = query.getQuestion();
      denialLog.log(clock.millis(), client, q.getName().toWire(), q.getType(), decision, engine.version(),
          via);
    }
    return responder.deny(query, decision);
  }

  private Message fromCache(Message query, AnswerCache.Cached c, boolean dnssecOk) {
    Header qh = query.getHeader();
    Message r = new Message(qh.getID());
    Header h = r.getHeader();
    h.setFlag(Flags.QR);
    h.setFlag(Flags.RA);
    if (qh.getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    if (qh.getFlag(Flags.CD)) {
      h.setFlag(Flags.CD);
    }
    if (c.authenticated() && (dnssecOk || qh.getFlag(Flags.AD))) {
      h.setFlag(Flags.AD);
    }
    h.setRcode(c.rcode() & 0xf);
    r.addRecord(query.getQuestion(), Section.QUESTION);
    long now = cache.now();
    add(r, c.records(Section.ANSWER, now), Section.ANSWER);
    add(r, c.records(Section.AUTHORITY, now), Section.AUTHORITY);
    add(r, c.records(Section.ADDITIONAL, now), Section.ADDITIONAL);
    OPTRecord qopt = query.getOPT();
    if (qopt != null) {
      r.addRecord(new OPTRecord(udpSize, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
    }
    return r;
  }

  private static void add(Message m, List<Record> records, int section) {
    for (Record rec : records) {
      m.addRecord(rec, section);
    }
  }

  /** An error answer echoing the question (and EDNS, which BADVERS needs to be expressed). */
  private Message error(Message query, int rcode) {
    Header qh = query.getHeader();
    Message r = new Message(qh.getID());
    Header h = r.getHeader();
    h.setFlag(Flags.QR);
    h.setFlag(Flags.RA);
    h.setOpcode(qh.getOpcode());
    if (qh.getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    h.setRcode(rcode & 0xf);
    Record q = query.getQuestion();
    if (q != null && qh.getCount(Section.QUESTION) == 1) {
      r.addRecord(q, Section.QUESTION);
    }
    if (query.getOPT() != null || rcode > 0xf) {
      r.addRecord(new OPTRecord(udpSize, rcode >>> 4, 0), Section.ADDITIONAL);
    }
    return r;
  }

  /** A bare header answer for a packet that could not be parsed beyond its header. */
  private byte[] headerOnly(byte[] packet, int rcode) {
    Message r = new Message(((packet[0] & 0xff) << 8) | (packet[1] & 0xff));
    Header h = r.getHeader();
    h.setFlag(Flags.QR);
    h.setOpcode((packet[2] >>> 3) & 0xf);
    if ((packet[2] & 0x01) != 0) {
      h.setFlag(Flags.RD);
    }
    h.setRcode(rcode);
    metrics.answer(rcode);
    return r.toWire();
  }

  private byte[] finish(Message response, Transport transport, int udpLimit) {
    metrics.answer(response.getRcode());
    // dnsjava drops whole RRsets that do not fit and sets TC; the client retries over TCP.
    return transport == Transport.UDP ? response.toWire(udpLimit) : response.toWire(Message.MAXLENGTH);
  }
}
