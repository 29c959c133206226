package org.serverhold.resolver.dnsjava;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import org.serverhold.resolver.denial.ChainCheck;
import org.serverhold.resolver.denial.DenialPolicy;
import org.serverhold.resolver.denial.DenialResponder;
import org.serverhold.resolver.policy.Decision;
import org.serverhold.resolver.policy.PolicyEngine;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;

/**
 * A dnsjava {@link Resolver} that enforces the policy around any other resolver: a denied query
 * name is answered locally without asking the delegate, and an answer whose CNAME/DNAME chain
 * passes through a denied name is replaced by the denial. Any Java program resolving through
 * dnsjava (e.g. via {@code Lookup.setDefaultResolver}) thus gets the same policy as the gateway.
 */
public final class PolicyResolver implements Resolver {
  private final Resolver delegate;
  private final PolicyEngine engine;
  private final DenialResponder responder;

  public PolicyResolver(Resolver delegate, PolicyEngine engine, DenialPolicy denials) {
    this.delegate = delegate;
    this.engine = engine;
    this.responder = new DenialResponder(denials, 1232);
  }

  public PolicyResolver(Resolver delegate, PolicyEngine engine) {
    this(delegate, engine, DenialPolicy.DEFAULT);
  }

  @Override
  public Message send(Message query) throws IOException {
    Message local = precheck(query);
    if (local != null) {
      return local;
    }
    return postcheck(query, delegate.send(query));
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query) {
    return sendAsync(query, ForkJoinPool.commonPool());
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query, Executor executor) {
    Message local = precheck(query);
    if (local != null) {
      return CompletableFuture.completedFuture(local);
    }
    return delegate.sendAsync(query, executor).thenApply(response -> postcheck(query, response));
  }

  /** The local denial when the query name itself is denied, else null. */
  private Message precheck(Message query) {
    Record q = query.getQuestion();
    if (q == null) {
      return null;
    }
    Decision d = engine.decide(q.getName());
    return d.denied() ? responder.deny(query, d) : null;
  }

  private Message postcheck(Message query, Message response) {
    ChainCheck.Denied denied = ChainCheck.check(engine, ChainCheck.names(response.getSection(Section.ANSWER)));
    return denied == null ? response : responder.deny(query, denied.decision());
  }

  // ------------------------------------------------ configuration goes to the delegate

  @Override
  public void setPort(int port) {
    delegate.setPort(port);
  }

  @Override
  public void setTCP(boolean flag) {
    delegate.setTCP(flag);
  }

  @Override
  public void setIgnoreTruncation(boolean flag) {
    delegate.setIgnoreTruncation(flag);
  }

  @Override
  public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
    delegate.setEDNS(version, payloadSize, flags, options);
  }

  @Override
  public void setTSIGKey(TSIG key) {
    delegate.setTSIGKey(key);
  }

  @Override
  public void setTimeout(Duration timeout) {
    delegate.setTimeout(timeout);
  }

  @Override
  public Duration getTimeout() {
    return delegate.getTimeout();
  }

  /** For callers that want the unwrapped resolver. */
  public Resolver delegate() {
    return delegate;
  }
}
