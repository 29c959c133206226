package org.serverhold.demo;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SetResponse;
import org.xbill.DNS.Zone;

/**
 * The demo's stand-in for the operator's recursive resolvers, so the first run resolves the
 * demo names on a machine with no network: answers the demo records (UDP and TCP, loopback,
 * a free port), following CNAME chains across them as a recursive resolver would.
 */
public final class DemoAuthority implements AutoCloseable {
  private final List<Zone> zones;
  private final DatagramSocket udp;
  private final ServerSocket tcp;

  private DemoAuthority(List<Zone> zones, DatagramSocket udp, ServerSocket tcp) {
    this.zones = zones;
    this.udp = udp;
    this.tcp = tcp;
    Thread.ofPlatform().daemon().name("demo-dns-udp").start(this::udpLoop);
    Thread.ofPlatform().daemon().name("demo-dns-tcp").start(this::tcpLoop);
  }

  /** Serves {@code masterFile} (absolute names) from one zone per top-level domain. */
  public static DemoAuthority start(String masterFile) throws IOException {
    Map<Name, List<Record>> byTld = new LinkedHashMap<>();
    try (Master master = new Master(new ByteArrayInputStream(masterFile.getBytes(StandardCharsets.UTF_8)), Name.root, 300)) {
      for (Record r = master.nextRecord(); r != null; r = master.nextRecord()) {
        Name tld = new Name(r.getName(), r.getName().labels() - 2);
        byTld.computeIfAbsent(tld, k -> new ArrayList<>()).add(r);
      }
    }
    List<Zone> zones = new ArrayList<>();
    for (var e : byTld.entrySet()) {
      Name origin = e.getKey();
      Name ns = Name.fromString("ns.demo.invalid.");
      List<Record> records = new ArrayList<>();
      records.add(new SOARecord(origin, DClass.IN, 300, ns, Name.fromString("hostmaster.demo.invalid."), 1, 3600, 600,
          86400, 60));
      records.add(new NSRecord(origin, DClass.IN, 300, ns));
      records.addAll(e.getValue());
      zones.add(new Zone(origin, records.toArray(new Record[0])));
    }
    for (int attempt = 0; attempt < 20; attempt++) {
      DatagramSocket u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try {
        ServerSocket t = new ServerSocket(u.getLocalPort(), 50, InetAddress.getLoopbackAddress());
        return new DemoAuthority(zones, u, t);
      } catch (IOException taken) {
        u.close();
      }
    }
    throw new IOException("no free port for the demo zone server");
  }

  public int port() {
    return udp.getLocalPort();
  }

  private void udpLoop() {
    byte[] buf = new byte[65535];
    while (!udp.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        udp.receive(p);
        Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        OPTRecord opt = q.getOPT();
        byte[] out = answer(q).toWire(opt == null ? 512 : Math.max(512, opt.getPayloadSize()));
        udp.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
      } catch (IOException | RuntimeException e) {
        // a packet we cannot read is dropped
      }
    }
  }

  private void tcpLoop() {
    while (!tcp.isClosed()) {
      try {
        Socket s = tcp.accept();
        Thread.ofVirtual().start(() -> {
          try (s) {
            s.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (true) {
              byte[] a = answer(new Message(in.readNBytes(in.readUnsignedShort()))).toWire();
              out.writeShort(a.length);
              out.write(a);
              out.flush();
            }
          } catch (IOException | RuntimeException e) {
            // the connection is over
          }
        });
      } catch (IOException e) {
        // closed
      }
    }
  }

  private Zone zoneFor(Name name) {
    for (Zone z : zones) {
      if (name.subdomain(z.getOrigin())) {
        return z;
      }
    }
    return null;
  }

  Message answer(Message q) {
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.RA);
    if (q.getHeader().getFlag(Flags.RD)) {
      r.getHeader().setFlag(Flags.RD);
    }
    Record question = q.getQuestion();
    if (question == null) {
      r.getHeader().setRcode(Rcode.FORMERR);
      return r;
    }
    r.addRecord(question, Section.QUESTION);
    if (q.getOPT() != null) {
      r.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    }
    Name name = question.getName();
    for (int hop = 0; hop < 8; hop++) {
      Zone z = zoneFor(name);
      if (z == null) {
        r.getHeader().setRcode(hop == 0 ? Rcode.REFUSED : Rcode.NOERROR);
        return r;
      }
      SetResponse sr = z.findRecords(name, question.getType());
      if (sr.isSuccessful()) {
        for (RRset set : sr.answers()) {
          set.rrs().forEach(rec -> r.addRecord(rec, Section.ANSWER));
        }
        return r;
      }
      if (!sr.isCNAME()) {
        if (sr.isNXDOMAIN()) {
          r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        r.addRecord(z.getSOA(), Section.AUTHORITY);
        return r;
      }
      CNAMERecord c = sr.getCNAME();
      r.addRecord(c, Section.ANSWER);
      name = c.getTarget();
    }
    return r;
  }

  @Override
  public void close() {
    udp.close();
    try {
      tcp.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
