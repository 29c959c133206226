-- Blacklist sharing between registries (federation).
-- Each member exports the changes of its own blacklist (manual and takedown entries) as a
-- gap-free, commit-ordered log; it imports its peers' logs into federation_entry, keyed by the
-- federation fingerprint HMAC(federation key, type | normalized number), never by the number.

-- The holder under the federation's shared key (null until a key is configured and the holder
-- is backfilled). Unique: one identity is one holder here.
alter table holder add column federation_fingerprint binary(32) null;
create unique index uk_holder_federation_fingerprint on holder (federation_fingerprint);

-- Imported entries name the peer they came from (null for local ones).
alter table blacklist_entry add column peer_id varchar(64) null;

-- A PEER_DISPOSAL hold names the imported entry that placed it, so the peer's lift releases
-- exactly those holds.
alter table domain_hold add column federation_entry_id bigint null;
create index ix_hold_federation_entry on domain_hold (federation_entry_id);

-- The export log: one row per change of a local (MANUAL or TAKEDOWN) entry. The version is
-- taken under the locked head row inside the writing transaction, so versions are gap-free and
-- in commit order (as policy_head does for the policy feed). Identity data is read from the
-- entry and its holder when streamed.
create table federation_head (
  id       int     not null,
  version  bigint  not null,
  primary key (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

insert into federation_head (id, version) values (1, 0);

create table federation_change (
  version        bigint       not null,
  kind           enum('ADD','LIFT') not null,
  entry_id       bigint       not null,
  committed_ms   bigint       not null,
  primary key (version),
  constraint fk_federation_change_entry foreign key (entry_id) references blacklist_entry (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

create index ix_federation_change_entry on federation_change (entry_id);

-- One row per federation fingerprint ever seen here: locked FOR UPDATE by an import and by the
-- creation of a holder with that fingerprint, so the two cannot miss each other.
create table federation_identity (
  fingerprint    binary(32)   not null,
  primary key (fingerprint)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

-- An entry imported from a peer, with its provenance. holder_id is null while no holder of
-- that fingerprint is known here (a "shadow" entry): creating such a holder adopts the entry.
create table federation_entry (
  id                  bigint       not null auto_increment,
  peer_id             varchar(64)  not null,
  source_registry_id  varchar(64)  not null,
  source_entry_ref    varchar(64)  not null,
  source_kind         enum('MANUAL','TAKEDOWN') not null,
  source_order        varchar(128) not null,
  fingerprint         binary(32)   not null,
  identity_type       enum('RESIDENT_ID_CARD','PASSPORT','BUSINESS_LICENCE','OTHER') not null,
  reason              varchar(512) not null,
  authority           varchar(128) not null,
  case_number         varchar(128) not null,
  mode                enum('RECORD','SUSPEND','REVIEW') not null,
  state               enum('IN_FORCE','PENDING_REVIEW','REJECTED','LIFTED') not null,
  holds_applied       boolean      not null default false,
  holder_id           bigint       null,
  blacklist_entry_id  bigint       null,
  source_version      bigint       not null,
  source_time_ms      bigint       not null,
  expires_at          datetime(6)  null,
  imported_at         datetime(6)  not null,
  lifted_at           datetime(6)  null,
  decided_by          varchar(128) null,
  decision_reason     varchar(512) null,
  primary key (id),
  unique key uk_federation_entry_source (peer_id, source_entry_ref),
  constraint fk_federation_entry_holder foreign key (holder_id) references holder (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

create index ix_federation_entry_fingerprint on federation_entry (fingerprint, state);
create index ix_federation_entry_state on federation_entry (state, id);

-- Where each peer's importer stands: the last version applied (changes are applied in the same
-- transaction that moves it, so nothing is lost or applied twice) and what went wrong last.
create table federation_peer_state (
  peer_id            varchar(64)   not null,
  target             varchar(255)  not null,
  mode               varchar(16)   not null,
  last_version       bigint        not null,
  peer_head_version  bigint        not null,
  connected          boolean       not null default false,
  last_applied_ms    bigint        null,
  last_error         varchar(1024) null,
  last_error_ms      bigint        null,
  primary key (peer_id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

-- Local entries in force before federation existed are exported too: they open the log.
/* [jooq ignore start] */
insert into federation_change (version, kind, entry_id, committed_ms)
  select row_number() over (order by id), 'ADD', id, 0 from blacklist_entry
  where source in ('MANUAL','TAKEDOWN') and lifted_at is null;
update federation_head set version = (select count(*) from federation_change) where id = 1;
/* [jooq ignore stop] */
