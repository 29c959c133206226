package org.serverhold.registry.failure;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every bad field of a request before refusing it, so a client learns all its mistakes
 * at once. Also holds the shared text checks (length, control characters) used by every request.
 */
public final class Violations {
  private final List<FieldViolation> violations = new ArrayList<>();

  public Violations add(String field, String description) {
    violations.add(new FieldViolation(field, description));
    return this;
  }

  /** Runs a check that throws {@link RegistryException} and keeps its violations. */
  public <T> T check(java.util.function.Supplier<T> check) {
    try {
      return check.get();
    } catch (RegistryException e) {
      if (e.kind() != FailureKind.INVALID_ARGUMENT) {
        throw e;
      }
      violations.addAll(e.violations());
      return null;
    }
  }

  /** Free text: required or not, at most {@code max} characters, no control characters. */
  public String text(String field, String value, boolean required, int max) {
    String v = value == null ? "" : value.strip();
    if (v.isEmpty()) {
      if (required) {
        add(field, "is required");
      }
      return v;
    }
    if (v.codePointCount(0, v.length()) > max) {
      add(field, "is longer than " + max + " characters");
    } else if (!wellFormed(v)) {
      add(field, "contains control characters or invalid Unicode");
    }
    return v;
  }

  /** A request id: required, printable ASCII, at most 128 characters. */
  public String requestId(String value) {
    String v = value == null ? "" : value;
    if (v.isEmpty()) {
      add("request_id", "is required (an idempotency key chosen by the caller)");
    } else if (v.length() > 128 || !v.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      add("request_id", "must be 1-128 printable ASCII characters without spaces");
    }
    return v;
  }

  static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (Character.isISOControl(cp) || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFD
          || Character.getType(cp) == Character.UNASSIGNED || cp == 0x200B || cp == 0xFEFF) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  public boolean isEmpty() {
    return violations.isEmpty();
  }

  public void throwIfAny() {
    if (!violations.isEmpty()) {
      throw RegistryException.invalid(violations);
    }
  }
}
