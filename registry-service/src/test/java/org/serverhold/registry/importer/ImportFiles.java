package org.serverhold.registry.importer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.serverhold.registry.holder.IdentityRules;

/**
 * Writes a registry to migrate as the three CSV files: {@code holders} holders (every tenth a
 * company) with {@code perHolder} domains each at registrar reg-a (every tenth holder unverified),
 * and one filing per holder covering all its domains for {@code filedPercent}% of the holders.
 * With {@code badEvery > 0}, every badEvery-th row of each file is broken in a way the rules refuse.
 * Deterministic: the same arguments give byte-identical files.
 */
public final class ImportFiles {
  public record Set(Path holders, Path filings, Path domains) {
    public RegistryImport.Files files() {
      return new RegistryImport.Files(holders, filings, domains);
    }
  }

  private ImportFiles() {}

  public static Set write(Path dir, int holders, int perHolder, int filedPercent, int badEvery) {
    try {
      Files.createDirectories(dir);
      Set set = new Set(dir.resolve("holders.csv"), dir.resolve("filings.csv"), dir.resolve("domains.csv"));
      try (BufferedWriter h = Files.newBufferedWriter(set.holders(), StandardCharsets.UTF_8);
          BufferedWriter f = Files.newBufferedWriter(set.filings(), StandardCharsets.UTF_8);
          BufferedWriter d = Files.newBufferedWriter(set.domains(), StandardCharsets.UTF_8)) {
        h.write("holder_ref,identity_type,identity_number,name\r\n");
        f.write("filing_number,sponsor_name,sponsor_type,service_type,service_name,access_provider,domain\r\n");
        d.write("domain,holder_ref,registrar_id,registrant_handle,verified,created,expires\r\n");
        long hRow = 0;
        long fRow = 0;
        long dRow = 0;
        StringBuilder line = new StringBuilder(160);
        for (int i = 0; i < holders; i++) {
          hRow++;
          boolean company = i % 10 == 3;
          String number = company ? IdentityRules.withCreditCodeCheck(String.format("91110000%09d", i))
              : IdentityRules.withResidentIdCheckDigit(String.format("110105%011d", i));
          if (bad(badEvery, hRow)) {
            number = number.substring(0, 17) + (number.charAt(17) == '1' ? '2' : '1'); // wrong check character
          }
          line.setLength(0);
          line.append('h').append(i).append(',').append(company ? "BUSINESS_LICENCE" : "RESIDENT_ID_CARD").append(',')
              .append(number).append(',').append(company ? "\"某某科技有限公司, 第" + i + "号\"" : "持有人" + i)
              .append("\r\n");
          h.write(line.toString());
          boolean filed = i % 100 < filedPercent;
          for (int j = 0; j < perHolder; j++) {
            String name = "d" + i + "-" + j + (j % 3 == 2 ? ".com.cn" : ".cn");
            dRow++;
            String domain = bad(badEvery, dRow) ? "x" + i + "-" + j + ".example" : name; // not a managed zone
            line.setLength(0);
            line.append(domain).append(",h").append(i).append(",reg-a,c").append(i).append(',')
                .append(i % 10 == 7 ? "false" : "true").append(",2024-01-0").append(1 + j % 9)
                .append(",2027-06-30T12:00:00+08:00\r\n");
            d.write(line.toString());
            if (filed) {
              fRow++;
              String covered = bad(badEvery, fRow) ? "-bad-.cn" : name;
              line.setLength(0);
              line.append("京ICP备").append(10_000_000 + i).append("号-1,")
                  .append(company ? "某某科技有限公司" : "持有人" + i).append(',')
                  .append(company ? "ENTERPRISE" : "INDIVIDUAL").append(",WEBSITE,网站").append(i)
                  .append(",某某云,").append(covered).append("\r\n");
              f.write(line.toString());
            }
          }
        }
      }
      return set;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean bad(int every, long row) {
    return every > 0 && row % every == 0;
  }
}
