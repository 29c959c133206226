package org.serverhold.resolver.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The UDP side: one platform thread per socket (the gateway opens one socket per core on the same
 * port) receives and answers on the spot whatever needs no upstream (denials,
 * cache hits, errors: pure CPU work, most of the traffic); only a query that must wait for an
 * upstream goes to a virtual thread, so it never holds up the next one. Handing every datagram
 * to a virtual thread cost more than answering it (thread creation, parking on the channel's
 * send lock, continuation stacks: the largest allocations in a JFR profile under dnsperf). A
 * permit cap bounds the upstream work in flight; beyond it datagrams are dropped (the client
 * retries), which is what an overloaded DNS server should do.
 */
final class UdpListener implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(UdpListener.class.getName());

  private final List<DatagramChannel> channels;
  private final QueryHandler handler;
  private final ExecutorService workers;
  private final Semaphore permits;
  private final GatewayMetrics metrics;
  private final List<Thread> threads = new ArrayList<>();

  UdpListener(List<DatagramChannel> channels, QueryHandler handler, ExecutorService workers, Semaphore permits,
      GatewayMetrics metrics) {
    this.channels = List.copyOf(channels);
    this.handler = handler;
    this.workers = workers;
    this.permits = permits;
    this.metrics = metrics;
    for (int i = 0; i < this.channels.size(); i++) {
      DatagramChannel channel = this.channels.get(i);
      threads.add(Thread.ofPlatform().daemon().name("dns-udp-" + localPort() + "-" + i).start(() -> loop(channel)));
    }
  }

  int localPort() {
    try {
      return ((InetSocketAddress) channels.get(0).getLocalAddress()).getPort();
    } catch (IOException e) {
      return -1;
    }
  }

  private void loop(DatagramChannel channel) {
    ByteBuffer buf = ByteBuffer.allocateDirect(65_535);
    while (channel.isOpen()) {
      try {
        buf.clear();
        SocketAddress from = channel.receive(buf);
        if (from == null) {
          continue;
        }
        buf.flip();
        byte[] packet = new byte[buf.remaining()];
        buf.get(packet);
        InetSocketAddress client = (InetSocketAddress) from;
        byte[] local = handler.handleLocally(packet, client.getAddress(), Transport.UDP);
        if (local != QueryHandler.NEEDS_UPSTREAM) {
          if (local != null) {
            send(channel, local, client);
          }
          continue;
        }
        if (!permits.tryAcquire()) {
          metrics.dropped();
          continue;
        }
        workers.execute(() -> {
          try {
            byte[] out = handler.resume(packet, client.getAddress(), Transport.UDP);
            if (out != null) {
              channel.send(ByteBuffer.wrap(out), client);
            }
          } catch (IOException e) {
            LOG.log(Level.FINE, "UDP send to " + client + " failed", e);
          } finally {
            permits.release();
          }
        });
      } catch (ClosedChannelException e) {
        return;
      } catch (Throwable e) {
        // Never let one bad datagram (or a full executor during shutdown) end the loop.
        if (!channel.isOpen()) {
          return;
        }
        LOG.log(Level.WARNING, "UDP receive loop", e);
      }
    }
  }

  private static void send(DatagramChannel channel, byte[] out, InetSocketAddress client) {
    try {
      channel.send(ByteBuffer.wrap(out), client);
    } catch (ClosedChannelException e) {
      // shutting down
    } catch (IOException e) {
      LOG.log(Level.FINE, "UDP send to " + client + " failed", e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (DatagramChannel channel : channels) {
      try {
        channel.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    for (Thread t : threads) {
      t.join(5_000);
    }
  }
}
