package org.serverhold.registry.name;

import com.ibm.icu.text.IDNA;
import org.serverhold.registry.failure.RegistryException;

/**
 * Normalizes names once, at the edge: IDNA UTS #46 (nontransitional, STD3 rules, BiDi and
 * ContextJ checks), lower case, no trailing dot. 例子.中国, 例子。中国 and xn--fsqu00a.xn--fiqs8s
 * are the same name.
 */
public final class DomainNames {
  private static final int OPTIONS = IDNA.NONTRANSITIONAL_TO_ASCII | IDNA.NONTRANSITIONAL_TO_UNICODE
      | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ | IDNA.USE_STD3_RULES;
  private static final int MAX_INPUT = 1024;

  private final IDNA idna = IDNA.getUTS46Instance(OPTIONS);

  /**
   * Returns the normalized name or throws INVALID_ARGUMENT naming {@code field}.
   *
   * @throws RegistryException when the name is empty, too long, has an empty or over-long label,
   *     a wildcard, or anything UTS #46 rejects
   */
  public DomainName normalize(String field, String input) {
    if (input == null || input.isBlank()) {
      throw RegistryException.invalid(field, "is required");
    }
    if (input.length() > MAX_INPUT) {
      throw RegistryException.invalid(field, "is not a domain name (too long)");
    }
    String name = input.strip();
    // A trailing dot (the root) is accepted; UTS #46 maps the ideographic full stop to '.'.
    if (name.endsWith(".") || name.endsWith("。") || name.endsWith("．") || name.endsWith("｡")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.isEmpty()) {
      throw RegistryException.invalid(field, "is required");
    }
    if (name.indexOf('*') >= 0) {
      throw RegistryException.invalid(field, "wildcards are not names");
    }
    StringBuilder ascii = new StringBuilder();
    IDNA.Info info = new IDNA.Info();
    idna.nameToASCII(name, ascii, info);
    if (info.hasErrors()) {
      throw RegistryException.invalid(field, "is not a valid domain name (" + describe(info) + ")");
    }
    String a = ascii.toString();
    checkLengths(field, a);
    StringBuilder unicode = new StringBuilder();
    IDNA.Info back = new IDNA.Info();
    idna.nameToUnicode(a, unicode, back);
    if (back.hasErrors()) {
      throw RegistryException.invalid(field, "is not a valid domain name (" + describe(back) + ")");
    }
    return new DomainName(a, unicode.toString());
  }

  private static void checkLengths(String field, String ascii) {
    if (ascii.length() > 253) {
      throw RegistryException.invalid(field, "is longer than 253 octets");
    }
    for (String label : ascii.split("\\.", -1)) {
      if (label.isEmpty()) {
        throw RegistryException.invalid(field, "has an empty label");
      }
      if (label.length() > 63) {
        throw RegistryException.invalid(field, "has a label longer than 63 octets");
      }
    }
  }

  private static String describe(IDNA.Info info) {
    return info.getErrors().iterator().next().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }
}
