package org.serverhold.registry.domain;

import java.time.Instant;

/** One reason a domain does not resolve, with the order or rule behind it. */
public record Hold(HoldReason reason, String reference, Instant since) {}
