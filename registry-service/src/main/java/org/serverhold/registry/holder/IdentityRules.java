package org.serverhold.registry.holder;

import java.text.Normalizer;
import java.util.Locale;
import org.serverhold.registry.failure.RegistryException;

/**
 * Validates and normalizes identity numbers so that one document gives one holder, however it
 * was typed: full-width forms folded (NFKC), spaces and hyphens dropped, letters upper-cased, and
 * the check characters of resident ID cards (GB 11643) and unified social credit codes
 * (GB 32100) verified.
 */
public final class IdentityRules {
  private static final int[] ID_WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  private static final char[] ID_CHECK = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  private static final String USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  private static final int[] USCC_WEIGHTS = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

  private IdentityRules() {}

  /**
   * @param field the request path of the identity, for error messages (e.g. {@code registrant.identity})
   * @throws RegistryException INVALID_ARGUMENT naming the bad sub-field; the message never echoes the number
   */
  public static Identity normalize(String field, IdentityType type, String number, String name) {
    if (type == null) {
      throw RegistryException.invalid(field + ".type", "is required");
    }
    if (number == null || number.isBlank()) {
      throw RegistryException.invalid(field + ".number", "is required");
    }
    if (number.length() > 64) {
      throw RegistryException.invalid(field + ".number", "is longer than 64 characters");
    }
    String n = Normalizer.normalize(number, Normalizer.Form.NFKC)
        .replace(" ", "").replace("-", "").toUpperCase(Locale.ROOT);
    String problem = switch (type) {
      case RESIDENT_ID_CARD -> residentIdProblem(n);
      case BUSINESS_LICENCE -> creditCodeProblem(n);
      case PASSPORT -> n.matches("[A-Z0-9]{5,20}") ? null : "a passport number is 5-20 letters and digits";
      case OTHER -> n.matches("[\\p{L}\\p{N}/._()]{1,64}") ? null : "must be 1-64 letters, digits or / . _ ( )";
    };
    if (problem != null) {
      throw RegistryException.invalid(field + ".number", problem);
    }
    String holderName = name == null ? "" : name.strip();
    if (holderName.isEmpty()) {
      throw RegistryException.invalid(field + ".name", "is required");
    }
    if (holderName.codePointCount(0, holderName.length()) > 200) {
      throw RegistryException.invalid(field + ".name", "is longer than 200 characters");
    }
    if (holderName.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.UNASSIGNED
        || Character.getType(c) == Character.SURROGATE)) {
      throw RegistryException.invalid(field + ".name", "contains control characters or invalid Unicode");
    }
    return new Identity(type, n, holderName);
  }

  static String residentIdProblem(String n) {
    if (!n.matches("[0-9]{17}[0-9X]")) {
      return "a resident ID card number is 17 digits and a check digit or X";
    }
    int sum = 0;
    for (int i = 0; i < 17; i++) {
      sum += (n.charAt(i) - '0') * ID_WEIGHTS[i];
    }
    return ID_CHECK[sum % 11] == n.charAt(17) ? null : "the check digit does not match";
  }

  static String creditCodeProblem(String n) {
    if (n.length() != 18) {
      return "a unified social credit code has 18 characters";
    }
    int sum = 0;
    for (int i = 0; i < 17; i++) {
      int v = USCC_CHARS.indexOf(n.charAt(i));
      if (v < 0) {
        return "a unified social credit code uses digits and the letters A-H J-N P-R T-U W-Y";
      }
      sum += v * USCC_WEIGHTS[i];
    }
    int check = (31 - sum % 31) % 31;
    return USCC_CHARS.charAt(check) == n.charAt(17) ? null : "the check character does not match";
  }

  /** Test and demo helper: appends the right check digit to 17 digits of a resident ID number. */
  public static String withResidentIdCheckDigit(String first17) {
    int sum = 0;
    for (int i = 0; i < 17; i++) {
      sum += (first17.charAt(i) - '0') * ID_WEIGHTS[i];
    }
    return first17 + ID_CHECK[sum % 11];
  }

  /** Test and demo helper: appends the right check character to 17 characters of a credit code. */
  public static String withCreditCodeCheck(String first17) {
    int sum = 0;
    for (int i = 0; i < 17; i++) {
      sum += USCC_CHARS.indexOf(first17.charAt(i)) * USCC_WEIGHTS[i];
    }
    return first17 + USCC_CHARS.charAt((31 - sum % 31) % 31);
  }
}
