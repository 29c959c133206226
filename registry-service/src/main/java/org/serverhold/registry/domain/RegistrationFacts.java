package org.serverhold.registry.domain;

/** What the registry knows about a proposed registration, gathered before the rules decide. */
public record RegistrationFacts(boolean zoneManaged, boolean registrable, boolean taken, boolean flagged,
    boolean holderBlacklisted, boolean holderVerified, boolean filed) {}
