package org.serverhold.cli;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.serverhold.registry.failure.RegistryException;
import picocli.CommandLine;

/** Prints failures as one clear message (the gRPC code, reason and bad fields), never a stack trace. */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    var err = cl.getErr();
    if (e instanceof StatusRuntimeException s) {
      err.println("error: " + s.getStatus().getCode() + ": " + s.getStatus().getDescription());
      var status = StatusProto.fromThrowable(s);
      if (status != null) {
        for (var any : status.getDetailsList()) {
          try {
            if (any.is(ErrorInfo.class)) {
              err.println("  reason: " + any.unpack(ErrorInfo.class).getReason());
            } else if (any.is(BadRequest.class)) {
              for (var v : any.unpack(BadRequest.class).getFieldViolationsList()) {
                err.println("  " + v.getField() + ": " + v.getDescription());
              }
            }
          } catch (com.google.protobuf.InvalidProtocolBufferException ignored) {
            // details we cannot read are left out
          }
        }
      }
      return 2;
    }
    if (e instanceof RegistryException r) {
      err.println("error: " + r.kind() + ": " + r.getMessage());
      return 2;
    }
    if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    err.println("error: " + e);
    return 1;
  }
}
