package org.serverhold.registry.name;

/** A normalized name: the A-label form stored and compared, and the Unicode form for display. */
public record DomainName(String ascii, String unicode) {
  public int labelCount() {
    int n = 1;
    for (int i = 0; i < ascii.length(); i++) {
      if (ascii.charAt(i) == '.') {
        n++;
      }
    }
    return n;
  }

  /** The name one label shorter ({@code a.b.cn} -> {@code b.cn}), or null for a single label. */
  public static String parentOf(String ascii) {
    int dot = ascii.indexOf('.');
    return dot < 0 ? null : ascii.substring(dot + 1);
  }

  @Override
  public String toString() {
    return ascii;
  }
}
