package org.serverhold.registry.failure;

/** What kind of failure a rule raised; the wire maps each to the matching gRPC status code. */
public enum FailureKind {
  INVALID_ARGUMENT,
  NOT_FOUND,
  ALREADY_EXISTS,
  FAILED_PRECONDITION,
  PERMISSION_DENIED,
  UNAUTHENTICATED,
  RESOURCE_EXHAUSTED,
  UNAVAILABLE
}
