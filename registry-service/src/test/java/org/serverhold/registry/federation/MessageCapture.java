package org.serverhold.registry.federation;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.List;

/** Records every message an importer sends and receives, as the protobuf messages and their wire bytes. */
final class MessageCapture implements ClientInterceptor {
  private final List<com.google.protobuf.MessageLite> messages = new ArrayList<>();

  synchronized List<com.google.protobuf.MessageLite> messages() {
    return List.copyOf(messages);
  }

  private synchronized void record(Object m) {
    if (m instanceof com.google.protobuf.MessageLite msg) {
      messages.add(msg);
    }
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void sendMessage(Q message) {
        record(message);
        super.sendMessage(message);
      }

      @Override
      public void start(Listener<R> listener, Metadata headers) {
        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
          @Override
          public void onMessage(R message) {
            record(message);
            super.onMessage(message);
          }
        }, headers);
      }
    };
  }
}
