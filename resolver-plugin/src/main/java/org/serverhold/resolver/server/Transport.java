package org.serverhold.resolver.server;

/** How a query arrived: decides the size limit of the answer. */
enum Transport {
  UDP,
  TCP;

  String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
