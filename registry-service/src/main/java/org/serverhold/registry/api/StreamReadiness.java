package org.serverhold.registry.api;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Server-side flow control for a stream written from its own thread: {@link #await()} blocks
 * while the transport cannot take more, so a slow client holds back only its own stream, and
 * throws {@link Cancelled} once the client has gone.
 */
final class StreamReadiness {
  /** The client cancelled the stream (or the thread was interrupted while waiting for it). */
  static final class Cancelled extends RuntimeException {
    Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  private final ServerCallStreamObserver<?> call;
  private final Semaphore signal = new Semaphore(0);
  private volatile boolean cancelled;

  StreamReadiness(ServerCallStreamObserver<?> call) {
    this.call = call;
    call.setOnReadyHandler(signal::release);
    call.setOnCancelHandler(() -> {
      cancelled = true;
      signal.release();
    });
  }

  boolean cancelled() {
    return cancelled;
  }

  void await() {
    while (!call.isReady()) {
      if (cancelled) {
        throw new Cancelled();
      }
      try {
        signal.tryAcquire(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Cancelled();
      }
    }
    if (cancelled) {
      throw new Cancelled();
    }
  }
}
