package org.serverhold.resolver.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SetResponse;
import org.xbill.DNS.Zone;

/**
 * A small DNS server for tests, answering from dnsjava {@link Zone}s over UDP and TCP on one
 * loopback port. It follows CNAME and DNAME chains across the zones it holds, like a recursive
 * resolver would, and truncates UDP answers to the client's size.
 */
public final class TestAuthServer implements AutoCloseable {
  private final List<Zone> zones;
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final AtomicInteger udpQueries = new AtomicInteger();
  private final AtomicInteger tcpQueries = new AtomicInteger();

  public TestAuthServer(List<Zone> zones) throws IOException {
    this.zones = zones;
    DatagramSocket u = null;
    ServerSocket t = null;
    for (int i = 0; i < 20 && t == null; i++) {
      u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try {
        t = new ServerSocket(u.getLocalPort(), 50, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        u.close();
      }
    }
    this.udp = u;
    this.tcp = t;
    Thread.ofPlatform().daemon().start(this::udpLoop);
    Thread.ofPlatform().daemon().start(this::tcpLoop);
  }

  public static Zone zone(String origin, String... records) throws IOException {
    StringBuilder sb = new StringBuilder("$ORIGIN " + origin + "\n$TTL 300\n");
    sb.append("@ SOA ns.").append(origin).append(" hostmaster.").append(origin).append(" 1 3600 600 86400 60\n");
    sb.append("@ NS ns.").append(origin).append('\n');
    for (String r : records) {
      sb.append(r).append('\n');
    }
    return new Zone(Name.fromString(origin), new java.io.ByteArrayInputStream(sb.toString().getBytes()));
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort());
  }

  public int udpQueries() {
    return udpQueries.get();
  }

  public int tcpQueries() {
    return tcpQueries.get();
  }

  private void udpLoop() {
    byte[] buf = new byte[65535];
    while (!udp.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        udp.receive(p);
        udpQueries.incrementAndGet();
        Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        OPTRecord opt = q.getOPT();
        int limit = opt == null ? 512 : Math.max(512, opt.getPayloadSize());
        byte[] out = answer(q).toWire(limit);
        udp.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
      } catch (IOException | RuntimeException e) {
        // test server: ignore bad packets
      }
    }
  }

  private void tcpLoop() {
    while (!tcp.isClosed()) {
      try {
        Socket s = tcp.accept();
        Thread.ofVirtual().start(() -> {
          try (s) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (true) {
              byte[] b = in.readNBytes(in.readUnsignedShort());
              tcpQueries.incrementAndGet();
              byte[] a = answer(new Message(b)).toWire();
              out.writeShort(a.length);
              out.write(a);
              out.flush();
            }
          } catch (IOException e) {
            // connection over
          }
        });
      } catch (IOException e) {
        // closed
      }
    }
  }

  private Zone zoneFor(Name name) {
    Zone best = null;
    for (Zone z : zones) {
      if (name.subdomain(z.getOrigin()) && (best == null || z.getOrigin().labels() > best.getOrigin().labels())) {
        best = z;
      }
    }
    return best;
  }

  Message answer(Message q) {
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.RA);
    if (q.getHeader().getFlag(Flags.RD)) {
      r.getHeader().setFlag(Flags.RD);
    }
    Record question = q.getQuestion();
    r.addRecord(question, Section.QUESTION);
    if (q.getOPT() != null) {
      r.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
    }
    Name name = question.getName();
    int type = question.getType();
    for (int hop = 0; hop < 8; hop++) {
      Zone z = zoneFor(name);
      if (z == null) {
        r.getHeader().setRcode(Rcode.REFUSED);
        return r;
      }
      SetResponse sr = z.findRecords(name, type);
      if (sr.isSuccessful()) {
        for (RRset set : sr.answers()) {
          set.rrs().forEach(rec -> r.addRecord(rec, Section.ANSWER));
        }
        return r;
      } else if (sr.isCNAME()) {
        CNAMERecord c = sr.getCNAME();
        r.addRecord(c, Section.ANSWER);
        name = c.getTarget();
      } else if (sr.isDNAME()) {
        DNAMERecord d = sr.getDNAME();
        r.addRecord(d, Section.ANSWER);
        try {
          Name target = name.fromDNAME(d);
          r.addRecord(new CNAMERecord(name, DClass.IN, d.getTTL(), target), Section.ANSWER);
          name = target;
        } catch (org.xbill.DNS.NameTooLongException e) {
          r.getHeader().setRcode(Rcode.YXDOMAIN);
          return r;
        }
      } else {
        if (sr.isNXDOMAIN()) {
          r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        r.addRecord(z.getSOA(), Section.AUTHORITY);
        return r;
      }
    }
    return r;
  }

  @Override
  public void close() throws IOException {
    udp.close();
    tcp.close();
  }
}
