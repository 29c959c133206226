-- Bulk import (serverhold import): one run per set of input files, recognised by their content
-- hashes, with its progress per file written in the same transaction as each batch, so a run
-- interrupted at any point resumes after its last committed batch.

create table import_run (
  id              bigint       not null auto_increment,
  files_sha256    char(64)     not null,
  holders_sha256  char(64)     not null,
  filings_sha256  char(64)     not null,
  domains_sha256  char(64)     not null,
  state           enum('RUNNING','DONE','ABANDONED') not null,
  actor           varchar(128) not null,
  started_ms      bigint       not null,
  finished_ms     bigint       null,
  primary key (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

create index ix_import_run_files on import_run (files_sha256, state);

-- committed_record: data records (header excluded) of the file whose batches have committed.
create table import_progress (
  run_id            bigint      not null,
  file              enum('HOLDERS','FILINGS','DOMAINS') not null,
  committed_record  bigint      not null,
  committed_line    bigint      not null,
  rows_read         bigint      not null,
  imported          bigint      not null,
  unchanged         bigint      not null,
  rejected          bigint      not null,
  batches           int         not null,
  primary key (run_id, file),
  constraint fk_import_progress_run foreign key (run_id) references import_run (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

-- holders.csv's holder_ref, as domains.csv refers to it, resolved to the holder it named.
create table import_holder_ref (
  run_id     bigint       not null,
  ref        varchar(128) not null,
  holder_id  bigint       not null,
  primary key (run_id, ref),
  constraint fk_import_holder_ref_run foreign key (run_id) references import_run (id),
  constraint fk_import_holder_ref_holder foreign key (holder_id) references holder (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

-- Rows refused, one line per problem; the rejects file is written from here at the end of a run.
create table import_reject (
  id        bigint       not null auto_increment,
  run_id    bigint       not null,
  file      enum('HOLDERS','FILINGS','DOMAINS') not null,
  line      bigint       not null,
  field     varchar(64)  not null,
  problem   varchar(512) not null,
  primary key (id),
  constraint fk_import_reject_run foreign key (run_id) references import_run (id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin;

create index ix_import_reject_run on import_reject (run_id, file, line);
