package org.serverhold.registry.failure;

import java.util.List;
import java.util.Map;

/**
 * A refusal raised by the rules: a kind (the gRPC code it becomes), a stable machine-readable
 * reason (e.g. {@code HOLDER_BLACKLISTED}), a human message that never contains an identity
 * number or token, the bad fields, and extra metadata for the client.
 */
public final class RegistryException extends RuntimeException {
  private final FailureKind kind;
  private final String reason;
  private final List<FieldViolation> violations;
  private final Map<String, String> metadata;

  public RegistryException(FailureKind kind, String reason, String message,
      List<FieldViolation> violations, Map<String, String> metadata) {
    super(message, null, false, false);
    this.kind = kind;
    this.reason = reason;
    this.violations = List.copyOf(violations);
    this.metadata = Map.copyOf(metadata);
  }

  public static RegistryException invalid(String field, String description) {
    return new RegistryException(FailureKind.INVALID_ARGUMENT, "INVALID_ARGUMENT",
        field + ": " + description, List.of(new FieldViolation(field, description)), Map.of());
  }

  public static RegistryException invalid(List<FieldViolation> violations) {
    StringBuilder message = new StringBuilder();
    for (FieldViolation v : violations) {
      if (!message.isEmpty()) {
        message.append("; ");
      }
      message.append(v.field()).append(": ").append(v.description());
    }
    return new RegistryException(FailureKind.INVALID_ARGUMENT, "INVALID_ARGUMENT", message.toString(),
        violations, Map.of());
  }

  public static RegistryException notFound(String reason, String message) {
    return new RegistryException(FailureKind.NOT_FOUND, reason, message, List.of(), Map.of());
  }

  public static RegistryException precondition(String reason, String message) {
    return new RegistryException(FailureKind.FAILED_PRECONDITION, reason, message, List.of(), Map.of());
  }

  public static RegistryException precondition(String reason, String message, Map<String, String> metadata) {
    return new RegistryException(FailureKind.FAILED_PRECONDITION, reason, message, List.of(), metadata);
  }

  public static RegistryException denied(String reason, String message) {
    return new RegistryException(FailureKind.PERMISSION_DENIED, reason, message, List.of(), Map.of());
  }

  public static RegistryException alreadyExists(String reason, String message) {
    return new RegistryException(FailureKind.ALREADY_EXISTS, reason, message, List.of(), Map.of());
  }

  public FailureKind kind() {
    return kind;
  }

  public String reason() {
    return reason;
  }

  public List<FieldViolation> violations() {
    return violations;
  }

  public Map<String, String> metadata() {
    return metadata;
  }
}
