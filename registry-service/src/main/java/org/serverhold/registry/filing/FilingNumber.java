package org.serverhold.registry.filing;

import java.text.Normalizer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.serverhold.registry.failure.RegistryException;

/**
 * An ICP filing number: province abbreviation, {@code ICP备} (filing) or {@code ICP证} (commercial
 * licence), digits, {@code 号}, and for one service of the sponsor {@code -n}. For example
 * 京ICP备12345678号 (the sponsor's main number) and 京ICP备12345678号-1 (one of its services).
 */
public record FilingNumber(String value, String mainNumber, String province, boolean licence, int serviceIndex) {
  private static final String PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新";
  private static final Pattern SHAPE =
      Pattern.compile("([" + PROVINCES + "])ICP(备|证)([0-9]{6,12})号(?:-([1-9][0-9]{0,3}))?");

  /** @throws RegistryException INVALID_ARGUMENT naming {@code field} when the shape is wrong */
  public static FilingNumber parse(String field, String input) {
    if (input == null || input.isBlank()) {
      throw RegistryException.invalid(field, "is required");
    }
    if (input.length() > 64) {
      throw RegistryException.invalid(field, "is longer than 64 characters");
    }
    // NFKC folds full-width digits, letters and hyphens typed on Chinese keyboards.
    String s = Normalizer.normalize(input.strip(), Normalizer.Form.NFKC).replace('－', '-').replace('—', '-')
        .replace("icp", "ICP");
    Matcher m = SHAPE.matcher(s);
    if (!m.matches()) {
      throw RegistryException.invalid(field,
          "is not an ICP filing number (expected e.g. 京ICP备12345678号-1 or 京ICP证030173号-1)");
    }
    String main = m.group(1) + "ICP" + m.group(2) + m.group(3) + "号";
    int index = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
    return new FilingNumber(s, main, m.group(1), "证".equals(m.group(2)), index);
  }
}
