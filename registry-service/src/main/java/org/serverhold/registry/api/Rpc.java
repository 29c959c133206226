package org.serverhold.registry.api;

import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Runs a unary call's body and answers it: the result, or the failure as a rich status. */
final class Rpc {
  private Rpc() {}

  static <T> void unary(StreamObserver<T> response, Supplier<T> body) {
    T result;
    try {
      result = body.get();
    } catch (Throwable t) {
      response.onError(GrpcErrors.toStatus(t));
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }
}
