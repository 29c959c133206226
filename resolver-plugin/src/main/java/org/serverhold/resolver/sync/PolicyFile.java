package org.serverhold.resolver.sync;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.serverhold.resolver.policy.Decision;
import org.serverhold.resolver.policy.DenyReason;
import org.serverhold.resolver.policy.EntryKind;
import org.serverhold.resolver.policy.PolicyEngine;
import org.serverhold.resolver.policy.PolicyEntry;
import org.serverhold.resolver.policy.PolicyView;

/**
 * The last known policy on local disk, so a gateway restarted while the registry is away serves
 * it at once. Written to a temporary file, fsynced, then renamed over the old one (and the
 * directory fsynced), so a crash leaves either the old file or the new one. A CRC32 trailer
 * rejects a torn or corrupted file instead of loading half a policy.
 *
 * <p>Format: magic, format version, policy version, zones, then records: a decision definition
 * (reason, reference) or an entry (kind, name, decision id), an end marker and the CRC.
 */
public final class PolicyFile {
  private static final long MAGIC = 0x5348504f4c494359L; // "SHPOLICY"
  private static final int FORMAT = 1;
  private static final int END = 0;
  private static final int DECISION = 1;
  private static final int ENTRY = 2;

  private final Path path;

  public PolicyFile(Path path) {
    this.path = path.toAbsolutePath();
  }

  public Path path() {
    return path;
  }

  /** Writes {@code view} atomically, replacing the previous file. */
  public void write(PolicyView view) throws IOException {
    Path dir = path.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        CRC32 crc = new CRC32();
        OutputStream raw = Channels.newOutputStream(ch);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(raw, crc), 1 << 16));
        out.writeLong(MAGIC);
        out.writeInt(FORMAT);
        out.writeLong(view.version());
        out.writeInt(view.zones().size());
        for (String z : view.zones()) {
          out.writeUTF(z);
        }
        Map<Decision, Integer> ids = new HashMap<>();
        view.forEachEntry((kind, name, decision) -> {
          Integer id = ids.get(decision);
          if (id == null) {
            id = ids.size();
            ids.put(decision, id);
            out.writeByte(DECISION);
            out.writeUTF(decision.allowed() ? "" : decision.reason().name());
            out.writeUTF(decision.reference());
          }
          out.writeByte(ENTRY);
          out.writeByte(kind.ordinal());
          out.writeUTF(name);
          out.writeInt(id);
        });
        out.writeByte(END);
        out.flush();
        // The CRC covers everything above; it is written outside the checked stream.
        DataOutputStream trailer = new DataOutputStream(raw);
        trailer.writeLong(crc.getValue());
        trailer.flush();
        ch.force(true);
      }
      try {
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system of " + dir + " cannot rename atomically", e);
      }
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory; the rename itself is still atomic.
    }
  }

  /**
   * Loads the file into {@code engine} as a snapshot; empty when there is no file.
   *
   * @throws IOException when the file exists but is unreadable or corrupt (nothing installed)
   */
  public Optional<Long> loadInto(PolicyEngine engine) throws IOException {
    InputStream raw;
    try {
      raw = Files.newInputStream(path);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try (raw) {
      CRC32 crc = new CRC32();
      // Buffer below the checksum: the checked stream then sees exactly the bytes the records
      // use, and the trailer is read from the same buffer, outside the checksum.
      BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
      DataInputStream in = new DataInputStream(new CheckedInputStream(buffered, crc));
      if (in.readLong() != MAGIC) {
        throw new IOException(path + " is not a serverhold policy file");
      }
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IOException(path + ": unsupported format " + format);
      }
      long version = in.readLong();
      int zoneCount = in.readInt();
      List<String> zones = new ArrayList<>(zoneCount);
      for (int i = 0; i < zoneCount; i++) {
        zones.add(in.readUTF());
      }
      long expected = Math.max(16, (Files.size(path) - 64) / 24);
      PolicyEngine.SnapshotLoader loader = engine.beginSnapshot(version, zones, expected);
      List<Decision> decisions = new ArrayList<>();
      EntryKind[] kinds = EntryKind.values();
      while (true) {
        int type = in.readUnsignedByte();
        if (type == END) {
          break;
        } else if (type == DECISION) {
          String reason = in.readUTF();
          String reference = in.readUTF();
          decisions.add(reason.isEmpty() ? Decision.ALLOW : Decision.deny(reason(reason), reference));
        } else if (type == ENTRY) {
          int kind = in.readUnsignedByte();
          String name = in.readUTF();
          int id = in.readInt();
          if (kind >= kinds.length || id < 0 || id >= decisions.size()) {
            throw new IOException(path + " is corrupt");
          }
          loader.add(new PolicyEntry(kinds[kind], name, decisions.get(id)));
        } else {
          throw new IOException(path + " is corrupt (record type " + type + ")");
        }
      }
      long computed = crc.getValue();
      long stored;
      try {
        stored = new DataInputStream(buffered).readLong();
      } catch (EOFException e) {
        throw new IOException(path + " is truncated", e);
      }
      if (computed != stored) {
        throw new IOException(path + " fails its checksum");
      }
      loader.install();
      return Optional.of(version);
    } catch (EOFException e) {
      throw new IOException(path + " is truncated", e);
    }
  }

  private static DenyReason reason(String name) {
    try {
      return DenyReason.valueOf(name);
    } catch (IllegalArgumentException e) {
      return DenyReason.OTHER;
    }
  }
}
