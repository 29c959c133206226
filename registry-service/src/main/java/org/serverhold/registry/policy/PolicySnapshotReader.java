package org.serverhold.registry.policy;

import static org.serverhold.registry.schema.Tables.POLICY_ENTRY;
import static org.serverhold.registry.schema.Tables.POLICY_HEAD;
import static org.serverhold.registry.schema.Tables.POLICY_ZONE;

import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.serverhold.api.v1.EntryKind;
import org.serverhold.api.v1.PolicyEntry;
import org.serverhold.api.v1.PolicySnapshotChunk;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.schema.enums.PolicyEntryKind;
import org.serverhold.registry.schema.tables.records.PolicyEntryRecord;

/**
 * Reads the whole policy at one version: one consistent-snapshot transaction reads the version
 * and then streams every entry, so the chunks describe exactly that version (a publisher commits
 * entries and version together). Rows are streamed, never all held at once.
 */
public final class PolicySnapshotReader {
  public static final int DEFAULT_CHUNK = 5000;
  public static final int MAX_CHUNK = 20000;

  private final Database db;

  public PolicySnapshotReader(Database db) {
    this.db = db;
  }

  /** Reads the snapshot, handing each chunk to {@code sink} (which may block for flow control). */
  public void read(int chunkSize, Consumer<PolicySnapshotChunk> sink) {
    db.dsl().connection(connection -> {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try (Statement st = connection.createStatement()) {
        // The pool runs READ COMMITTED; a snapshot needs one consistent view for all its reads.
        st.execute("set transaction isolation level repeatable read");
        st.execute("start transaction with consistent snapshot");
        DSLContext tx = DSL.using(connection, db.dsl().dialect(), db.dsl().settings());
        long version = tx.select(POLICY_HEAD.VERSION).from(POLICY_HEAD).where(POLICY_HEAD.ID.eq(1))
            .fetchSingle(POLICY_HEAD.VERSION);
        List<String> zones = tx.select(POLICY_ZONE.NAME).from(POLICY_ZONE).orderBy(POLICY_ZONE.NAME).fetch(POLICY_ZONE.NAME);
        int total = tx.fetchCount(POLICY_ENTRY);
        PolicySnapshotChunk.Builder chunk = PolicySnapshotChunk.newBuilder().setVersion(version).addAllZones(zones)
            .setTotalEntries(total);
        List<PolicyEntry> buffer = new ArrayList<>(chunkSize);
        try (Cursor<PolicyEntryRecord> rows = tx.selectFrom(POLICY_ENTRY).orderBy(POLICY_ENTRY.KIND, POLICY_ENTRY.NAME)
            .fetchSize(Integer.MIN_VALUE).fetchLazy()) {
          for (PolicyEntryRecord r : rows) {
            buffer.add(PolicyEntry.newBuilder().setKind(kind(r.getKind())).setName(r.getName())
                .setReason(PolicyLedger.wireReason(Decision.Reason.valueOf(r.getReason().name())))
                .setReference(r.getReference()).build());
            if (buffer.size() == chunkSize) {
              sink.accept(chunk.addAllEntries(buffer).build());
              buffer.clear();
              chunk = PolicySnapshotChunk.newBuilder().setVersion(version);
            }
          }
        }
        sink.accept(chunk.addAllEntries(buffer).setLast(true).build());
        connection.commit();
      } finally {
        connection.setAutoCommit(autoCommit);
      }
    });
  }

  static EntryKind kind(PolicyEntryKind k) {
    return switch (k) {
      case DOMAIN -> EntryKind.DOMAIN;
      case FLAG_EXACT -> EntryKind.FLAG_EXACT;
      case FLAG_SUBTREE -> EntryKind.FLAG_SUBTREE;
    };
  }
}
