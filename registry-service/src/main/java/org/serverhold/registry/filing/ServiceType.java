package org.serverhold.registry.filing;

public enum ServiceType {
  WEBSITE,
  APP,
  MINI_PROGRAM,
  QUICK_APP
}
