package org.serverhold.resolver.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The TCP side (RFC 7766): each connection on a virtual thread, length-prefixed messages
 * answered in order, idle connections closed. Connections beyond the permit cap are closed at
 * once.
 */
final class TcpListener implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TcpListener.class.getName());

  private final ServerSocket server;
  private final QueryHandler handler;
  private final ExecutorService workers;
  private final Semaphore permits;
  private final Duration idle;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread thread;

  TcpListener(ServerSocket server, QueryHandler handler, ExecutorService workers, Semaphore permits, Duration idle) {
    this.server = server;
    this.handler = handler;
    this.workers = workers;
    this.permits = permits;
    this.idle = idle;
    this.thread = Thread.ofPlatform().daemon().name("dns-tcp-" + server.getLocalPort()).start(this::loop);
  }

  private void loop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        if (!permits.tryAcquire()) {
          s.close();
          continue;
        }
        open.add(s);
        workers.execute(() -> {
          try {
            serve(s);
          } finally {
            open.remove(s);
            permits.release();
          }
        });
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
        LOG.log(Level.FINE, "TCP accept", e);
      } catch (Throwable e) {
        if (server.isClosed()) {
          return;
        }
        LOG.log(Level.WARNING, "TCP accept loop", e);
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      s.setSoTimeout((int) Math.max(1, idle.toMillis()));
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      while (true) {
        int len = in.readUnsignedShort();
        byte[] packet = in.readNBytes(len);
        if (packet.length != len) {
          return; // the peer hung up mid-message
        }
        byte[] answer = handler.handle(packet, s.getInetAddress(), Transport.TCP);
        if (answer == null) {
          return; // nothing sensible to say: close, as RFC 7766 allows
        }
        out.writeShort(answer.length);
        out.write(answer);
        out.flush();
      }
    } catch (EOFException | SocketTimeoutException | SocketException e) {
      // closed, idle or reset: normal ends of a DNS TCP connection
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "TCP connection", e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    thread.join(5_000);
  }
}
