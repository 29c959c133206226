package org.serverhold.registry.request;

import static org.serverhold.registry.schema.Tables.REQUEST_LOG;

import java.util.Arrays;
import java.util.Optional;
import org.jooq.DSLContext;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.schema.tables.records.RequestLogRecord;

/**
 * Idempotency on (principal, request id): inside the mutation's own transaction the request is
 * claimed first, its response stored at the end. A replay finds the stored response and changes
 * nothing; two concurrent copies of one request collide on the claim, the loser's transaction is
 * rolled back by the server (deadlock or duplicate key) and, run again, finds the winner's response.
 */
public final class RequestLog {
  /** What a claim found: nothing (go ahead) or the response of the first call. */
  public record Claim(Optional<byte[]> previousResponse) {}

  public Claim claim(DSLContext tx, String principal, String requestId, String method, byte[] requestHash) {
    // Insert first: inserts of different keys never block each other, where a SELECT ... FOR
    // UPDATE of a missing key takes a gap lock that deadlocks unrelated concurrent requests.
    try {
      tx.insertInto(REQUEST_LOG)
          .set(REQUEST_LOG.PRINCIPAL, principal)
          .set(REQUEST_LOG.REQUEST_ID, requestId)
          .set(REQUEST_LOG.METHOD, method)
          .set(REQUEST_LOG.REQUEST_HASH, requestHash)
          .execute();
      return new Claim(Optional.empty());
    } catch (org.jooq.exception.IntegrityConstraintViolationException e) {
      // The key exists: the insert waited for its owner to commit, so a locking read sees the response.
      RequestLogRecord existing = tx.selectFrom(REQUEST_LOG)
          .where(REQUEST_LOG.PRINCIPAL.eq(principal), REQUEST_LOG.REQUEST_ID.eq(requestId))
          .forShare()
          .fetchOne();
      if (existing == null || existing.getResponse() == null) {
        throw new org.serverhold.registry.database.Database.RetryTransaction("request id claimed concurrently");
      }
      if (!existing.getMethod().equals(method) || !Arrays.equals(existing.getRequestHash(), requestHash)) {
        throw RegistryException.invalid("request_id",
            "was already used for a different request (" + existing.getMethod() + "); use a new request id");
      }
      return new Claim(Optional.of(existing.getResponse()));
    }
  }

  public void complete(DSLContext tx, String principal, String requestId, byte[] response) {
    tx.update(REQUEST_LOG).set(REQUEST_LOG.RESPONSE, response)
        .where(REQUEST_LOG.PRINCIPAL.eq(principal), REQUEST_LOG.REQUEST_ID.eq(requestId))
        .execute();
  }
}
