package org.serverhold.registry.bench;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.serverhold.api.v1.EnforcementServiceGrpc;
import org.serverhold.api.v1.Filing;
import org.serverhold.api.v1.FilingServiceGrpc;
import org.serverhold.api.v1.GetFilingForDomainRequest;
import org.serverhold.api.v1.LiftTakedownRequest;
import org.serverhold.api.v1.RevokeFilingRequest;
import org.serverhold.api.v1.Takedown;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.api.v1.UpsertFilingRequest;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.BearerCredentials;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 6's peer comparison: the time from a change being acknowledged to the first denied answer
 * at a resolver, and from its undoing to the first resolving answer again. The same probe drives
 * serverhold (a takedown or a filing revocation through the registry's API, seen at its DNS
 * gateway) and the peer (an RFC 2136 update of a BIND primary's RPZ zone, seen at an Unbound fed
 * by NOTIFY + IXFR), so both sides are timed by one clock and one polling loop.
 *
 * <p>Run it with {@code bench/probe.sh}; its header shows the setup each mode needs.
 */
@Command(name = "change-visible-probe", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Times change acknowledged -> first NXDOMAIN, and undo acknowledged -> first NOERROR with an A record.")
public final class ChangeVisibleProbe implements Callable<Integer> {
  @Option(names = "--via", required = true, description = "takedown, revoke-filing or rfc2136.")
  String via;

  @Option(names = "--dns", required = true, description = "The resolver to poll over UDP, host:port.")
  String dns;

  @Option(names = "--names-file", required = true,
      description = "Target names, one per line (# comments); sample i uses name i, cycling when there are fewer names.")
  Path namesFile;

  @Option(names = "--samples", defaultValue = "10", description = "Changes to time (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--interval-ms", defaultValue = "2000",
      description = "Pause after a sample's restore is seen, before the next change (default: ${DEFAULT-VALUE}).")
  long intervalMs;

  @Option(names = "--timeout-ms", defaultValue = "30000",
      description = "How long to wait for each of a sample's two answers (default: ${DEFAULT-VALUE}).")
  long timeoutMs;

  @Option(names = "--out", description = "Also write the samples and percentiles to this JSON file.")
  Path out;

  @Option(names = "--registry", description = "takedown, revoke-filing: the registry's gRPC address, host:port.")
  String registry;

  @Option(names = "--token-file", description = "takedown, revoke-filing: a file holding a REGULATOR bearer token.")
  Path tokenFile;

  @Option(names = "--authority", defaultValue = "change-visible-probe",
      description = "takedown: the authority named on the orders and lifts (default: ${DEFAULT-VALUE}).")
  String authority;

  @Option(names = "--primary", description = "rfc2136: the primary that takes the updates, host:port (TCP).")
  String primary;

  @Option(names = "--zone", description = "rfc2136: the RPZ zone, e.g. rpz.local.")
  String zone;

  @Option(names = "--ttl", defaultValue = "3600",
      description = "rfc2136: TTL of the restored records (default: ${DEFAULT-VALUE}).")
  long ttl;

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new ChangeVisibleProbe());
    // A refused call or a name that does not resolve is a setup error: one line says which, not a stack trace.
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("change-visible-probe: " + e);
      return 2;
    });
    System.exit(cli.execute(args));
  }

  /** One timed change. A null time is a timeout: that answer did not come within --timeout-ms. */
  record Sample(int index, String name, long changeEpochMs, double ackMs, Double visibleMs, double restoreAckMs,
      Double restoreMs) {
    boolean timedOut() {
      return visibleMs == null || restoreMs == null;
    }
  }

  /** The undoing of one applied change. */
  @FunctionalInterface
  interface Undo {
    void run() throws Exception;
  }

  /** A kind of change: {@code apply} returns when the change is acknowledged, with what undoes it. */
  interface Change extends AutoCloseable {
    Undo apply(String name) throws Exception;

    @Override
    void close();
  }

  private static final Predicate<Message> DENIED = m -> m.getRcode() == Rcode.NXDOMAIN;
  private static final Predicate<Message> RESOLVES = m -> m.getRcode() == Rcode.NOERROR
      && m.getSection(Section.ANSWER).stream().anyMatch(r -> r.getType() == Type.A);

  @Override
  public Integer call() throws Exception {
    List<String> names = readNames(namesFile);
    if (samples < 1) {
      throw new IllegalArgumentException("--samples must be at least 1");
    }
    long timeout = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    List<Sample> results = new ArrayList<>();
    try (Change change = openChange(); DnsPoller poller = new DnsPoller(address(dns, "--dns"))) {
      // Fail before changing anything (within seconds) if a target does not resolve now: its "visible"
      // time would be zero.
      long check = TimeUnit.SECONDS.toNanos(5);
      for (String name : new LinkedHashSet<>(names.subList(0, Math.min(samples, names.size())))) {
        requireResolves(poller, name, check);
      }
      for (int i = 0; i < samples; i++) {
        if (i > 0) {
          Thread.sleep(intervalMs);
        }
        String name = names.get(i % names.size());
        Name qname = absolute(name);
        // Again before every change: a previous restore that timed out may not have taken effect yet.
        requireResolves(poller, name, Math.max(timeout, check));
        long sent = System.nanoTime();
        Undo undo = change.apply(name);
        long t0 = System.nanoTime();
        long changeEpochMs = System.currentTimeMillis();
        long denied = poller.until(qname, DENIED, t0 + timeout);
        long restoreSent = System.nanoTime();
        undo.run();
        long t1 = System.nanoTime();
        long resolved = poller.until(qname, RESOLVES, t1 + timeout);
        Sample s = new Sample(i + 1, name, changeEpochMs, millis(t0 - sent), denied < 0 ? null : millis(denied - t0),
            millis(t1 - restoreSent), resolved < 0 ? null : millis(resolved - t1));
        results.add(s);
        System.out.printf(Locale.ROOT,
            "sample %d name=%s visible_ms=%s restore_ms=%s t_change_epoch_ms=%d ack_ms=%.1f restore_ack_ms=%.1f%n",
            s.index(), s.name(), text(s.visibleMs()), text(s.restoreMs()), s.changeEpochMs(), s.ackMs(), s.restoreAckMs());
      }
    }
    List<Double> visible = results.stream().map(Sample::visibleMs).toList();
    List<Double> restore = results.stream().map(Sample::restoreMs).toList();
    long timedOut = results.stream().filter(Sample::timedOut).count();
    System.out.printf(Locale.ROOT, "%s: %d samples, %d timed out; visible p50=%s p99=%s ms; restore p50=%s p99=%s ms%n", via,
        results.size(), timedOut, text(percentile(visible, 50)), text(percentile(visible, 99)),
        text(percentile(restore, 50)), text(percentile(restore, 99)));
    if (out != null) {
      Files.writeString(out, json(results, visible, restore) + "\n");
    }
    return 0;
  }

  private Change openChange() throws IOException {
    return switch (via) {
      case "takedown" -> new TakedownChange(openRegistry(), authority);
      case "revoke-filing" -> new FilingChange(openRegistry());
      case "rfc2136" -> {
        if (primary == null || zone == null) {
          throw new IllegalArgumentException("--via rfc2136 needs --primary and --zone");
        }
        yield new Rfc2136Change(address(primary, "--primary"), absolute(zone), ttl);
      }
      default -> throw new IllegalArgumentException("--via must be takedown, revoke-filing or rfc2136, not " + via);
    };
  }

  private RegistryClient openRegistry() throws IOException {
    if (registry == null || tokenFile == null) {
      throw new IllegalArgumentException("--via " + via + " needs --registry and --token-file");
    }
    String token = Files.readString(tokenFile).strip();
    if (token.isEmpty()) {
      throw new IllegalArgumentException(tokenFile + " is empty");
    }
    InetSocketAddress a = address(registry, "--registry");
    return new RegistryClient(Grpc.newChannelBuilderForAddress(a.getHostString(), a.getPort(),
        InsecureChannelCredentials.create()).build(), new BearerCredentials(token));
  }

  private void requireResolves(DnsPoller poller, String name, long timeout) throws IOException {
    if (poller.until(absolute(name), RESOLVES, System.nanoTime() + timeout) < 0) {
      throw new IllegalStateException(name + " does not resolve (NOERROR with an A record) at " + dns
          + " before the change; pick names that resolve");
    }
  }

  /** The registry's channel and the credential every call carries. */
  record RegistryClient(ManagedChannel channel, BearerCredentials bearer) {
    /** A stub for one call: a deadline is a point in time, so each call needs a fresh one. */
    <S extends AbstractStub<S>> S stub(S stub) {
      return stub.withCallCredentials(bearer).withDeadlineAfter(30, TimeUnit.SECONDS);
    }
  }

  /** serverhold: a takedown of the name (and its holder's other names), undone by lifting it. */
  static final class TakedownChange implements Change {
    private final RegistryClient registry;
    private final String authority;

    TakedownChange(RegistryClient registry, String authority) {
      this.registry = registry;
      this.authority = authority;
    }

    @Override
    public Undo apply(String name) {
      Takedown t = registry.stub(EnforcementServiceGrpc.newBlockingStub(registry.channel())).takedown(TakedownRequest
          .newBuilder().setRequestId(UUID.randomUUID().toString()).setDomain(name).setAuthority(authority)
          .setCaseNumber("probe-" + System.currentTimeMillis()).setReason("change-visible probe (issue 6)").build());
      return () -> {
        Takedown lifted = registry.stub(EnforcementServiceGrpc.newBlockingStub(registry.channel())).liftTakedown(
            LiftTakedownRequest.newBuilder().setRequestId(UUID.randomUUID().toString()).setTakedownId(t.getTakedownId())
                .setAuthority(authority).setReason("change-visible probe: restore").build());
        // The N-th takedown of one holder blacklists it for good (serve --permanent-after, default 3), and a
        // regulator's lift keeps that: its names would never resolve again, so say so rather than time out.
        if (lifted.getHolderBlacklisted()) {
          throw new IllegalStateException("lifting " + t.getTakedownId() + " left the holder of " + name
              + " blacklisted (permanent after repeated takedowns? run serve with a larger --permanent-after"
              + " or use names of more holders)");
        }
      };
    }

    @Override
    public void close() {
      registry.channel().shutdownNow();
    }
  }

  /** serverhold: revoking the filing that covers the name, undone by filing it again as it was. */
  static final class FilingChange implements Change {
    private final RegistryClient registry;

    FilingChange(RegistryClient registry) {
      this.registry = registry;
    }

    @Override
    public Undo apply(String name) {
      // Read before the change (not timed): the restore re-files exactly this.
      Filing before = registry.stub(FilingServiceGrpc.newBlockingStub(registry.channel()))
          .getFilingForDomain(GetFilingForDomainRequest.newBuilder().setDomain(name).build()).getFiling();
      // Only a regulator sees the sponsor's identity number; re-filing a masked one would change the filing.
      if (before.hasSponsorIdentity() && before.getSponsorIdentity().getNumber().isEmpty()) {
        throw new IllegalStateException("the sponsor identity of " + before.getFilingNumber()
            + " comes back masked: --token-file must hold a REGULATOR token to restore it intact");
      }
      Filing refile = before.toBuilder().clearStatus().clearRevokeReason().clearUpdated().build();
      registry.stub(FilingServiceGrpc.newBlockingStub(registry.channel())).revokeFiling(RevokeFilingRequest.newBuilder()
          .setRequestId(UUID.randomUUID().toString()).setFilingNumber(before.getFilingNumber())
          .setReason("change-visible probe (issue 6)").build());
      return () -> registry.stub(FilingServiceGrpc.newBlockingStub(registry.channel())).upsertFiling(
          UpsertFilingRequest.newBuilder().setRequestId(UUID.randomUUID().toString()).setFiling(refile).build());
    }

    @Override
    public void close() {
      registry.channel().shutdownNow();
    }
  }

  /**
   * The peer: an RPZ zone denies {@code *.cn} and lets filed names through with {@code NAME.cn CNAME
   * rpz-passthru.} and {@code *.NAME.cn CNAME rpz-passthru.}; deleting those two records by dynamic
   * update denies the name, adding them back restores it.
   */
  static final class Rfc2136Change implements Change {
    private static final Name PASSTHRU = Name.fromConstantString("rpz-passthru.");

    private final SimpleResolver primary;
    private final Name zone;
    private final long ttl;

    Rfc2136Change(InetSocketAddress primary, Name zone, long ttl) {
      this.primary = new SimpleResolver(primary);
      // TCP: an update must not be lost or retried by a UDP timeout while we time it.
      this.primary.setTCP(true);
      this.primary.setTimeout(Duration.ofSeconds(30));
      this.zone = zone;
      this.ttl = ttl;
    }

    @Override
    public Undo apply(String name) throws Exception {
      send(update(name, false));
      return () -> send(update(name, true));
    }

    private Update update(String name, boolean add) throws IOException {
      String relative = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
      Update u = new Update(zone);
      for (String owner : List.of(relative, "*." + relative)) {
        // No origin: the owner is relative, and goes under the RPZ zone (NAME.cn.rpz.local.).
        Record r = new CNAMERecord(Name.concatenate(Name.fromString(owner), zone), DClass.IN, add ? ttl : 0, PASSTHRU);
        if (add) {
          u.add(r);
        } else {
          u.delete(r);
        }
      }
      return u;
    }

    private void send(Update u) throws IOException {
      Message reply = primary.send(u);
      if (reply.getRcode() != Rcode.NOERROR) {
        throw new IllegalStateException("the primary answered an update of " + zone + " with "
            + Rcode.string(reply.getRcode()));
      }
    }

    @Override
    public void close() {}
  }

  /**
   * Asks one server one A question as fast as a single thread can: send, wait up to 50 ms for the
   * reply with that id, resend. A reply to an earlier send (it came late) is ignored, so the time
   * taken is always that of an answer to a question asked after the previous one was answered.
   */
  static final class DnsPoller implements AutoCloseable {
    private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final DatagramSocket socket;
    private final byte[] buffer = new byte[65535];
    private int lastId;

    DnsPoller(InetSocketAddress server) throws IOException {
      socket = new DatagramSocket();
      socket.connect(server);
    }

    /** The System.nanoTime() at which the first reply {@code wanted} accepts arrived, or -1 at the deadline. */
    long until(Name name, Predicate<Message> wanted, long deadline) throws IOException {
      // Built once; each send only patches the id (the first two bytes).
      byte[] query = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN)).toWire();
      DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
      while (System.nanoTime() < deadline) {
        int id = lastId = (lastId + 1) & 0xffff;
        query[0] = (byte) (id >>> 8);
        query[1] = (byte) id;
        socket.send(new DatagramPacket(query, query.length));
        long waitUntil = Math.min(deadline, System.nanoTime() + WAIT_NANOS);
        for (long left = waitUntil - System.nanoTime(); left > 0; left = waitUntil - System.nanoTime()) {
          long at;
          try {
            socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            reply.setLength(buffer.length);
            socket.receive(reply);
            at = System.nanoTime();
          } catch (SocketTimeoutException e) {
            break;
          } catch (PortUnreachableException e) {
            // Nothing listens there (yet): wait out this round rather than spin.
            sleepNanos(left);
            break;
          }
          Message m = parse(reply);
          if (m == null || m.getHeader().getID() != id || m.getQuestion() == null
              || !name.equals(m.getQuestion().getName())) {
            continue;
          }
          if (wanted.test(m)) {
            return at;
          }
          break;
        }
      }
      return -1;
    }

    private static Message parse(DatagramPacket p) {
      try {
        return new Message(Arrays.copyOf(p.getData(), p.getLength()));
      } catch (IOException malformed) {
        return null;
      }
    }

    private static void sleepNanos(long nanos) {
      try {
        TimeUnit.NANOSECONDS.sleep(nanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  /**
   * Nearest-rank percentile: the ceil(p/100 * n)-th smallest sample. With fewer than 100 samples
   * p99 is therefore the maximum. A timed-out sample ranks above every other and has no value: a
   * percentile that lands on one is null (reported as "timeout"), never a flattering number.
   */
  static Double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return null;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort((a, b) -> a == null ? (b == null ? 0 : 1) : b == null ? -1 : Double.compare(a, b));
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(1, Math.min(sorted.size(), rank)) - 1);
  }

  private String json(List<Sample> results, List<Double> visible, List<Double> restore) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("via", via);
    doc.put("dns", dns);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Sample s : results) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", s.name());
      row.put("change_epoch_ms", s.changeEpochMs());
      row.put("visible_ms", s.visibleMs());
      row.put("restore_ms", s.restoreMs());
      row.put("timed_out", s.timedOut());
      row.put("ack_ms", s.ackMs());
      row.put("restore_ack_ms", s.restoreAckMs());
      rows.add(row);
    }
    doc.put("samples", rows);
    doc.put("visible_p50_ms", percentile(visible, 50));
    doc.put("visible_p99_ms", percentile(visible, 99));
    doc.put("restore_p50_ms", percentile(restore, 50));
    doc.put("restore_p99_ms", percentile(restore, 99));
    doc.put("timed_out_samples", results.stream().filter(Sample::timedOut).count());
    doc.put("timeout_ms", timeoutMs);
    return Json.of(doc);
  }

  private static List<String> readNames(Path file) throws IOException {
    List<String> names = Files.readAllLines(file).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    if (names.isEmpty()) {
      throw new IllegalArgumentException(file + " lists no names");
    }
    return names;
  }

  /** Names are given with or without the final dot; queries and zones need it. */
  private static Name absolute(String name) throws TextParseException {
    return Name.fromString(name.endsWith(".") ? name : name + ".");
  }

  private static InetSocketAddress address(String hostPort, String option) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException(option + " must be host:port, not " + hostPort);
    }
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /** Milliseconds to 0.001, as the JSON carries them. */
  private static double millis(long nanos) {
    return Math.round(nanos / 1000.0) / 1000.0;
  }

  private static String text(Double ms) {
    return ms == null ? "timeout" : String.format(Locale.ROOT, "%.1f", ms);
  }
}
