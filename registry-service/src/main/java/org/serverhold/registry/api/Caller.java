package org.serverhold.registry.api;

import io.grpc.Context;
import org.serverhold.registry.auth.Principal;

/** The authenticated principal of the current call, put there by {@link AuthInterceptor}. */
public final class Caller {
  static final Context.Key<Principal> KEY = Context.key("serverhold-principal");

  private Caller() {}

  public static Principal current() {
    Principal p = KEY.get();
    if (p == null) {
      throw new IllegalStateException("no authenticated principal: is the AuthInterceptor installed?");
    }
    return p;
  }
}
