package org.serverhold.resolver.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;

/**
 * One upstream resolver, over sockets this class owns (dnsjava's client funnels all I/O through
 * one static selector thread, which does not suit a forwarder). Each of a few connected UDP
 * sockets has a receiver thread that matches responses to pending queries by message id and
 * question; a connected socket only accepts datagrams from the upstream's address, and random
 * ids over several source ports make spoofed answers hard to land.
 */
final class Upstream implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Upstream.class.getName());

  private final InetSocketAddress address;
  private final DatagramChannel[] channels;
  private final Thread[] receivers;
  private final Map<Integer, Pending>[] pending;
  private volatile boolean closed;

  private record Pending(Record question, CompletableFuture<Message> future) {}

  @SuppressWarnings("unchecked")
  Upstream(InetSocketAddress address, int sockets) throws IOException {
    this.address = address;
    this.channels = new DatagramChannel[sockets];
    this.receivers = new Thread[sockets];
    this.pending = new Map[sockets];
    for (int i = 0; i < sockets; i++) {
      DatagramChannel ch = DatagramChannel.open();
      ch.bind(null);
      ch.connect(address);
      channels[i] = ch;
      pending[i] = new ConcurrentHashMap<>();
      int idx = i;
      receivers[i] = Thread.ofPlatform().daemon().name("upstream-" + address + "-" + i).start(() -> receive(idx));
    }
  }

  InetSocketAddress address() {
    return address;
  }

  /**
   * Sends {@code query} (its id is replaced by a fresh random one) and returns the future answer;
   * the caller applies the timeout and must call {@link #forget} when it gives up.
   */
  Ticket send(Message query) throws IOException {
    int idx = ThreadLocalRandom.current().nextInt(channels.length);
    Map<Integer, Pending> map = pending[idx];
    Pending p = new Pending(query.getQuestion(), new CompletableFuture<>());
    int id;
    do {
      id = ThreadLocalRandom.current().nextInt(0x10000);
    } while (map.putIfAbsent(id, p) != null);
    query.getHeader().setID(id);
    try {
      channels[idx].write(ByteBuffer.wrap(query.toWire()));
    } catch (IOException e) {
      map.remove(id, p);
      throw e;
    }
    return new Ticket(idx, id, p.future());
  }

  /** A query in flight on socket {@code socket} with message id {@code id}. */
  record Ticket(int socket, int id, CompletableFuture<Message> future) {}

  void forget(Ticket t) {
    pending[t.socket()].remove(t.id());
  }

  /** Queries awaiting an answer on all sockets. */
  int pending() {
    int n = 0;
    for (Map<Integer, Pending> m : pending) {
      n += m.size();
    }
    return n;
  }

  private void receive(int idx) {
    DatagramChannel ch = channels[idx];
    Map<Integer, Pending> map = pending[idx];
    ByteBuffer buf = ByteBuffer.allocateDirect(65_535);
    while (!closed) {
      try {
        buf.clear();
        int n = ch.read(buf);
        if (n < 12) {
          continue;
        }
        buf.flip();
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        int id = ((bytes[0] & 0xff) << 8) | (bytes[1] & 0xff);
        Pending p = map.get(id);
        if (p == null) {
          continue; // late or unsolicited
        }
        Message m;
        try {
          m = new Message(bytes);
        } catch (IOException | RuntimeException e) {
          continue; // garbage: let the query time out or a valid answer arrive
        }
        Record q = m.getQuestion();
        if (q == null || !q.getName().equals(p.question().getName()) || q.getType() != p.question().getType()
            || q.getDClass() != p.question().getDClass()) {
          continue; // right id, wrong question: not our answer
        }
        if (map.remove(id, p)) {
          p.future().complete(m);
        }
      } catch (PortUnreachableException e) {
        // ICMP from a dead upstream: pending queries will time out and fail over
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (!closed) {
          LOG.log(Level.FINE, "upstream " + address + " receive failed", e);
        }
      }
    }
  }

  /** One query over TCP (for answers truncated over UDP), on the caller's (virtual) thread. */
  Message sendTcp(Message query, Duration timeout) throws IOException {
    query.getHeader().setID(ThreadLocalRandom.current().nextInt(0x10000));
    byte[] wire = query.toWire();
    try (Socket s = new Socket()) {
      int ms = (int) Math.max(1, timeout.toMillis());
      s.connect(address, ms);
      s.setSoTimeout(ms);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeShort(wire.length);
      out.write(wire);
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      int len = in.readUnsignedShort();
      byte[] resp = in.readNBytes(len);
      if (resp.length != len) {
        throw new IOException("short TCP answer from " + address);
      }
      Message m = new Message(resp);
      if (m.getHeader().getID() != query.getHeader().getID()) {
        throw new IOException("TCP answer id mismatch from " + address);
      }
      return m;
    }
  }

  @Override
  public void close() {
    closed = true;
    for (DatagramChannel ch : channels) {
      try {
        ch.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    for (Map<Integer, Pending> map : pending) {
      map.values().forEach(p -> p.future().completeExceptionally(new IOException("closed")));
    }
  }
}
