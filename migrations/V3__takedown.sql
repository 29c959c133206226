-- Takedown orders. The domains an order suspended are its holds (domain_hold.takedown_id).

create table takedown (
  id                 bigint       not null auto_increment,
  domain_name        varchar(253) not null,
  domain_id          bigint       not null,
  holder_id          bigint       not null,
  authority          varchar(128) not null,
  case_number        varchar(128) not null,
  reason             varchar(512) not null,
  state              enum('IN_FORCE','LIFTED') not null,
  cascade_mode       enum('IMMEDIATE','GRACE') not null,
  cascade_deadline   datetime(6)  null,
  cascade_applied_at datetime(6)  null,
  domains_suspended  int          not null,
  cascade_count      int          not null,
  blacklist_entry_id bigint       null,
  policy_version     bigint       not null,
  issued_by          varchar(128) not null,
  issued_at          datetime(6)  not null,
  request_id         varchar(128) not null,
  lifted_by          varchar(128) null,
  lifted_at          datetime(6)  null,
  lift_reason        varchar(512) null,
  lift_authority     varchar(128) null,
  primary key (id),
  constraint fk_takedown_holder foreign key (holder_id) references holder (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

create index ix_takedown_holder on takedown (holder_id, state);
create index ix_takedown_authority on takedown (authority, issued_at);
create index ix_takedown_grace on takedown (state, cascade_mode, cascade_applied_at);
create index ix_blacklist_expiry on blacklist_entry (lifted_at, expires_at);
create index ix_flag_expiry on flag (lifted_at, expires_at);
