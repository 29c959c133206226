package org.serverhold.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.serverhold.registry.audit.Json;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Human-readable output by default, {@code --json} for scripts. */
public final class Output {
  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  void print(Map<String, ?> fields, String human) {
    out().println(json ? Json.of(new LinkedHashMap<>(fields)) : human);
    out().flush();
  }

  void message(Message m, String human) {
    if (json) {
      try {
        out().println(JsonFormat.printer().omittingInsignificantWhitespace().print(m));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException(e);
      }
    } else {
      out().println(human);
    }
    out().flush();
  }

  void messages(List<? extends Message> ms, List<String> headers, java.util.function.Function<Message, List<Object>> row) {
    if (json) {
      StringBuilder b = new StringBuilder("[");
      for (Message m : ms) {
        try {
          if (b.length() > 1) {
            b.append(',');
          }
          b.append(JsonFormat.printer().omittingInsignificantWhitespace().print(m));
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException(e);
        }
      }
      out().println(b.append(']'));
      out().flush();
      return;
    }
    table(headers, ms.stream().map(row).toList());
  }

  void table(List<String> headers, List<List<Object>> rows) {
    if (json) {
      List<Map<String, Object>> objects = new ArrayList<>();
      for (List<Object> r : rows) {
        Map<String, Object> o = new LinkedHashMap<>();
        for (int i = 0; i < headers.size(); i++) {
          o.put(headers.get(i).toLowerCase(java.util.Locale.ROOT), r.get(i));
        }
        objects.add(o);
      }
      out().println(Json.of(Map.of("rows", objects)).replaceFirst("^\\{\"rows\":", "").replaceFirst("}$", ""));
      out().flush();
      return;
    }
    int[] width = new int[headers.size()];
    for (int i = 0; i < headers.size(); i++) {
      width[i] = displayWidth(headers.get(i));
      for (List<Object> r : rows) {
        width[i] = Math.max(width[i], displayWidth(String.valueOf(r.get(i))));
      }
    }
    out().println(line(headers.stream().map(h -> (Object) h).toList(), width));
    for (List<Object> r : rows) {
      out().println(line(r, width));
    }
    out().flush();
  }

  private static String line(List<Object> cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String s = String.valueOf(cells.get(i));
      b.append(s);
      if (i < cells.size() - 1) {
        b.append(" ".repeat(width[i] - displayWidth(s) + 2));
      }
    }
    return b.toString().stripTrailing();
  }

  /** CJK characters take two columns on a terminal. */
  static int displayWidth(String s) {
    int w = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      w += (cp >= 0x1100 && (cp <= 0x115f || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3)
          || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60)
          || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd))) ? 2 : 1;
      i += Character.charCount(cp);
    }
    return w;
  }
}
