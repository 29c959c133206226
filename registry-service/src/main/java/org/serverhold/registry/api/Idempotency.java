package org.serverhold.registry.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.request.RequestLog;

/**
 * Runs a mutation once per (principal, request id): the claim, the mutation and its stored
 * response share one transaction, so a replay returns the first response and changes nothing,
 * and a failed call leaves no claim behind.
 */
public final class Idempotency {
  private final Database db;
  private final RequestLog log;

  public Idempotency(Database db, RequestLog log) {
    this.db = db;
    this.log = log;
  }

  public <T extends Message> T run(Principal caller, String method, String requestId, Message request, Parser<T> parser,
      Function<DSLContext, T> mutation) {
    byte[] hash = sha256(request.toByteArray());
    return db.transaction(tx -> {
      var claim = log.claim(tx, caller.name(), requestId, method, hash);
      if (claim.previousResponse().isPresent()) {
        try {
          return parser.parseFrom(claim.previousResponse().get());
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException("a stored response cannot be read", e);
        }
      }
      T response = mutation.apply(tx);
      log.complete(tx, caller.name(), requestId, response.toByteArray());
      return response;
    });
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
