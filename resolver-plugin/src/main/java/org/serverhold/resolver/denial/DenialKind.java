package org.serverhold.resolver.denial;

/** How a denied query is answered. */
public enum DenialKind {
  /** "No such name" (the default): the name does not resolve. */
  NXDOMAIN,
  /** The name exists but has no data of the asked type. */
  NODATA,
  /** The server declines to answer. */
  REFUSED,
  /** A/AAAA queries get the notice page's addresses; other types get NODATA. */
  REDIRECT
}
