package org.serverhold.registry.failure;

/** One bad field of a request: its path (e.g. {@code registrant.identity.number}) and what is wrong. */
public record FieldViolation(String field, String description) {}
