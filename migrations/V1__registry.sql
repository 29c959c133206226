-- serverhold registry schema, version 1: registrars, credentials, holders, registrants, domains,
-- holds, ICP filings, blacklist, flags, idempotency log and the hash-chained audit log.
-- Written for MySQL 8, MariaDB 10.11+ and TiDB alike; identifiers lower case (jOOQ DDLDatabase).
-- Every table names its collation: DEFAULT CHARSET alone gave utf8mb4_general_ci.

create table registrar (
  id          varchar(64)  not null,
  name        varchar(255) not null,
  created_at  datetime(6)  not null default current_timestamp(6),
  primary key (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

-- A bearer token (SHA-256 of it; tokens are 256 random bits, so a fast hash is enough) or a
-- client-certificate fingerprint, mapped to a principal and one role.
create table credential (
  id                bigint       not null auto_increment,
  token_hash        binary(32)   null,
  cert_fingerprint  varchar(64)  null,
  principal         varchar(128) not null,
  role              enum('REGISTRAR','REGULATOR','FILING_AUTHORITY','RESOLVER','ADMIN','PEER') not null,
  registrar_id      varchar(64)  null,
  allowed_cidrs     varchar(1024) null,
  description       varchar(255) null,
  created_at        datetime(6)  not null default current_timestamp(6),
  revoked_at        datetime(6)  null,
  primary key (id),
  unique key uk_credential_token (token_hash),
  unique key uk_credential_cert (cert_fingerprint),
  constraint fk_credential_registrar foreign key (registrar_id) references registrar (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

-- One real-world identity. fingerprint = HMAC-SHA256(server key, type | normalized number), so
-- the same person or company is one holder at every registrar. The number is AES-GCM encrypted.
create table holder (
  id                   bigint       not null auto_increment,
  identity_type        enum('RESIDENT_ID_CARD','PASSPORT','BUSINESS_LICENCE','OTHER') not null,
  fingerprint          binary(32)   not null,
  number_ciphertext    varbinary(512) not null,
  number_last4         varchar(8)   not null,
  name                 varchar(255) not null,
  offence_count        int          not null default 0,
  enhanced_verified_at datetime(6)  null,
  created_at           datetime(6)  not null default current_timestamp(6),
  primary key (id),
  unique key uk_holder_fingerprint (fingerprint)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

-- A registrar's contact record for a holder.
create table registrant (
  id            bigint       not null auto_increment,
  registrar_id  varchar(64)  not null,
  handle        varchar(64)  not null,
  holder_id     bigint       not null,
  email         varchar(254) null,
  phone         varchar(32)  null,
  verified_at   datetime(6)  null,
  evidence_ref  varchar(255) null,
  created_at    datetime(6)  not null default current_timestamp(6),
  primary key (id),
  unique key uk_registrant_handle (registrar_id, handle),
  constraint fk_registrant_registrar foreign key (registrar_id) references registrar (id),
  constraint fk_registrant_holder foreign key (holder_id) references holder (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

-- A registration. A transfer ends one row (TRANSFERRED) and starts another: history keeps both.
-- active_name is the name while ACTIVE and NULL after: its unique key allows one live row a name.
create table domain (
  id             bigint       not null auto_increment,
  name           varchar(253) not null,
  unicode_name   varchar(253) not null,
  zone           varchar(253) not null,
  registrar_id   varchar(64)  not null,
  registrant_id  bigint       not null,
  holder_id      bigint       not null,
  state          enum('ACTIVE','DELETED','TRANSFERRED') not null,
  active_name    varchar(253) null,
  created_at     datetime(6)  not null default current_timestamp(6),
  expires_at     datetime(6)  not null,
  ended_at       datetime(6)  null,
  primary key (id),
  unique key uk_domain_active_name (active_name),
  constraint fk_domain_registrar foreign key (registrar_id) references registrar (id),
  constraint fk_domain_registrant foreign key (registrant_id) references registrant (id),
  constraint fk_domain_holder foreign key (holder_id) references holder (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

create index ix_domain_holder on domain (holder_id, state);
create index ix_domain_registrar on domain (registrar_id, name);
create index ix_domain_name on domain (name);

-- Why a domain must not resolve. A hold stands until released by the order that placed it.
create table domain_hold (
  id            bigint       not null auto_increment,
  domain_id     bigint       not null,
  reason        enum('TAKEDOWN','TAKEDOWN_CASCADE','HOLDER_BLACKLISTED','IDENTITY_UNVERIFIED','REGISTRAR_HOLD','PEER_DISPOSAL') not null,
  reference     varchar(128) not null,
  takedown_id   bigint       null,
  created_at    datetime(6)  not null default current_timestamp(6),
  released_at   datetime(6)  null,
  primary key (id),
  constraint fk_hold_domain foreign key (domain_id) references domain (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

create index ix_hold_domain on domain_hold (domain_id, released_at);
create index ix_hold_takedown on domain_hold (takedown_id);

create table icp_filing (
  id                    bigint       not null auto_increment,
  filing_number         varchar(64)  not null,
  main_number           varchar(64)  not null,
  sponsor_name          varchar(255) not null,
  sponsor_type          enum('ENTERPRISE','PUBLIC_INSTITUTION','GOVERNMENT_AGENCY','MILITARY','SOCIAL_ORGANISATION','INDIVIDUAL') not null,
  sponsor_identity_type enum('RESIDENT_ID_CARD','PASSPORT','BUSINESS_LICENCE','OTHER') null,
  sponsor_fingerprint   binary(32)   null,
  sponsor_number_ciphertext varbinary(512) null,
  sponsor_number_last4  varchar(8)   null,
  sponsor_identity_name varchar(255) null,
  service_type          enum('WEBSITE','APP','MINI_PROGRAM','QUICK_APP') not null,
  service_name          varchar(255) not null,
  access_provider       varchar(255) not null,
  status                enum('ACTIVE','REVOKED') not null,
  revoke_reason         varchar(512) null,
  created_at            datetime(6)  not null default current_timestamp(6),
  updated_at            datetime(6)  not null default current_timestamp(6),
  primary key (id),
  unique key uk_filing_number (filing_number)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

create table icp_filing_domain (
  filing_id    bigint       not null,
  domain_name  varchar(253) not null,
  primary key (filing_id, domain_name),
  constraint fk_filing_domain_filing foreign key (filing_id) references icp_filing (id)
) engine=InnoDB default charset=ascii collate=ascii_bin;

create index ix_filing_domain_name on icp_filing_domain (domain_name);

create table blacklist_entry (
  id            bigint       not null auto_increment,
  holder_id     bigint       not null,
  reason        varchar(512) not null,
  case_number   varchar(128) not null,
  authority     varchar(128) not null,
  source        enum('MANUAL','TAKEDOWN','PEER') not null,
  source_ref    varchar(128) not null,
  permanent     boolean      not null default false,
  created_by    varchar(128) not null,
  created_at    datetime(6)  not null default current_timestamp(6),
  expires_at    datetime(6)  null,
  lifted_at     datetime(6)  null,
  lifted_by     varchar(128) null,
  lift_reason   varchar(512) null,
  primary key (id),
  constraint fk_blacklist_holder foreign key (holder_id) references holder (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

create index ix_blacklist_holder on blacklist_entry (holder_id, lifted_at);

-- A name the bureau wants refused, registered here or not, exactly or with its whole subtree.
create table flag (
  id            bigint       not null auto_increment,
  name          varchar(253) not null,
  scope         enum('EXACT','SUBTREE') not null,
  authority     varchar(128) not null,
  case_number   varchar(128) not null,
  reason        varchar(512) not null,
  created_by    varchar(128) not null,
  created_at    datetime(6)  not null default current_timestamp(6),
  expires_at    datetime(6)  null,
  lifted_at     datetime(6)  null,
  lifted_by     varchar(128) null,
  lift_reason   varchar(512) null,
  primary key (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

create index ix_flag_name on flag (name, lifted_at);

-- Idempotency: the first response to (principal, request id) is kept and replayed.
create table request_log (
  principal     varchar(128) not null,
  request_id    varchar(128) not null,
  method        varchar(128) not null,
  request_hash  binary(32)   not null,
  response      mediumblob   null,
  created_at    datetime(6)  not null default current_timestamp(6),
  primary key (principal, request_id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

-- Every change, in one hash chain: hash = SHA-256(prev_hash | canonical fields).
-- at_millis, not created_at, is hashed: MariaDB 10.11 via Connector/J drops fractional seconds.
create table audit_event (
  id           bigint        not null auto_increment,
  at_millis    bigint        not null,
  actor        varchar(128)  not null,
  actor_role   varchar(32)   not null,
  action       varchar(64)   not null,
  target_type  varchar(32)   not null,
  target       varchar(255)  not null,
  request_id   varchar(128)  not null,
  authority    varchar(128)  not null,
  before_state mediumtext    null,
  after_state  mediumtext    null,
  prev_hash    binary(32)    not null,
  hash         binary(32)    not null,
  primary key (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

-- The chain's head, one row, locked FOR UPDATE by every writer: it orders the chain.
create table audit_head (
  id         int         not null,
  last_id    bigint      not null,
  last_hash  binary(32)  not null,
  primary key (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

insert into audit_head (id, last_id, last_hash) values (1, 0, x'0000000000000000000000000000000000000000000000000000000000000000');
