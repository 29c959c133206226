package org.serverhold.registry.holder;

/** A holder as stored: the number itself is not here, only what may be shown. */
public record Holder(long id, IdentityType type, String numberLast4, String name, int offenceCount) {
  public String maskedNumber() {
    return Masking.maskLast(numberLast4);
  }

  public String publicId() {
    return "H" + id;
  }

  public static long parsePublicId(String publicId) {
    if (publicId == null || !publicId.matches("H[0-9]{1,18}")) {
      return -1;
    }
    return Long.parseLong(publicId.substring(1));
  }
}
