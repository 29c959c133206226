-- The policy feed: one materialized decision per name a resolver must know, and the ordered,
-- gap-free log of changesets that led to it.

create table policy_entry (
  kind       enum('DOMAIN','FLAG_EXACT','FLAG_SUBTREE') not null,
  name       varchar(253) not null,
  reason     enum('ALLOW','NOT_FILED','TAKEDOWN','HOLDER_BLACKLISTED','IDENTITY_UNVERIFIED','REGISTRAR_HOLD','FLAGGED','PEER_DISPOSAL') not null,
  reference  varchar(128) not null,
  version    bigint       not null,
  primary key (kind, name)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

-- Managed zones as last published, so a configuration change is published as a changeset too.
create table policy_zone (
  name     varchar(253) not null,
  primary key (name)
) engine=InnoDB default charset=ascii collate=ascii_bin;

-- The version counter, one row, locked FOR UPDATE by every publishing transaction until it
-- commits: versions are therefore gap-free and in commit order (AUTO_INCREMENT is neither).
create table policy_head (
  id       int     not null,
  version  bigint  not null,
  primary key (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

insert into policy_head (id, version) values (1, 0);

create table policy_changeset (
  version       bigint       not null,
  committed_ms  bigint       not null,
  cause         varchar(255) not null,
  change_count  int          not null,
  part_count    int          not null,
  primary key (version)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

-- Each part is a serialized serverhold.v1.Changeset message, ready to stream.
create table policy_changeset_part (
  version  bigint      not null,
  part     int         not null,
  body     mediumblob  not null,
  primary key (version, part)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

-- Which version each subscribed resolver has applied, so enforcement is confirmed, not assumed.
create table policy_subscriber (
  resolver_id      varchar(128) not null,
  principal        varchar(128) not null,
  applied_version  bigint       not null,
  applied_ms       bigint       not null,
  seen_ms          bigint       not null,
  primary key (resolver_id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;
