package org.serverhold.registry.domain;

public enum DomainState {
  ACTIVE,
  DELETED,
  TRANSFERRED
}
