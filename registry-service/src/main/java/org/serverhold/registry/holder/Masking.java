package org.serverhold.registry.holder;

/** Identity numbers are shown with all but their last 4 characters hidden. */
public final class Masking {
  private Masking() {}

  /** Four stars and the last characters: the length of the number is not shown either. */
  public static String mask(String number) {
    return number == null || number.isEmpty() ? "" : "****" + lastChars(number);
  }

  /** What is stored in clear beside the encrypted number: at most 4, and never half of a short one. */
  public static String lastChars(String number) {
    int keep = Math.min(4, number.length() / 2);
    return number.substring(number.length() - keep);
  }

  public static String maskLast(String last) {
    return "****" + last;
  }
}
