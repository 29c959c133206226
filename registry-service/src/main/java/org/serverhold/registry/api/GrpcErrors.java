package org.serverhold.registry.api;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.serverhold.registry.failure.FieldViolation;
import org.serverhold.registry.failure.RegistryException;

/**
 * Turns failures into gRPC statuses with rich details ({@code google.rpc.Status}): an ErrorInfo
 * with the reason code for every refusal, BadRequest field violations for bad input. Anything
 * unexpected becomes INTERNAL with an incident id; its details go to the log, never to the client.
 */
public final class GrpcErrors {
  public static final String DOMAIN = "serverhold.org";
  private static final Logger LOG = Logger.getLogger(GrpcErrors.class.getName());

  private GrpcErrors() {}

  public static StatusRuntimeException toStatus(Throwable t) {
    if (t instanceof StatusRuntimeException s) {
      return s;
    }
    if (t instanceof RegistryException e) {
      return fromRegistry(e);
    }
    if (isDatabaseUnavailable(t)) {
      LOG.warning(() -> "database unavailable: " + t.getClass().getSimpleName());
      return build(Code.UNAVAILABLE, "the registry database is unavailable; retry later", "DATABASE_UNAVAILABLE", null);
    }
    String incident = UUID.randomUUID().toString();
    LOG.log(Level.SEVERE, "internal error, incident " + incident, t);
    return build(Code.INTERNAL, "internal error (incident " + incident + ")", "INTERNAL", null);
  }

  private static StatusRuntimeException fromRegistry(RegistryException e) {
    Code code = switch (e.kind()) {
      case INVALID_ARGUMENT -> Code.INVALID_ARGUMENT;
      case NOT_FOUND -> Code.NOT_FOUND;
      case ALREADY_EXISTS -> Code.ALREADY_EXISTS;
      case FAILED_PRECONDITION -> Code.FAILED_PRECONDITION;
      case PERMISSION_DENIED -> Code.PERMISSION_DENIED;
      case UNAUTHENTICATED -> Code.UNAUTHENTICATED;
      case RESOURCE_EXHAUSTED -> Code.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> Code.UNAVAILABLE;
    };
    BadRequest badRequest = null;
    if (!e.violations().isEmpty()) {
      BadRequest.Builder b = BadRequest.newBuilder();
      for (FieldViolation v : e.violations()) {
        b.addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(v.field()).setDescription(v.description()));
      }
      badRequest = b.build();
    }
    ErrorInfo.Builder info = ErrorInfo.newBuilder().setReason(e.reason()).setDomain(DOMAIN).putAllMetadata(e.metadata());
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
        .setCode(code.getNumber()).setMessage(e.getMessage()).addDetails(Any.pack(info.build()));
    if (badRequest != null) {
      status.addDetails(Any.pack(badRequest));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  private static StatusRuntimeException build(Code code, String message, String reason, BadRequest badRequest) {
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(message)
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain(DOMAIN).build()));
    if (badRequest != null) {
      status.addDetails(Any.pack(badRequest));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  /** Connection refused, pool timeout, server gone: the caller may retry. */
  static boolean isDatabaseUnavailable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLTransientConnectionException) {
        return true;
      }
      if (c instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
        return true;
      }
      if (c instanceof java.net.ConnectException) {
        return true;
      }
    }
    return false;
  }
}
