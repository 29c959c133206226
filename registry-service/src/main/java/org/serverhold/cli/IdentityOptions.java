package org.serverhold.cli;

import org.serverhold.api.v1.IdentityType;
import org.serverhold.api.v1.RegistrantIdentity;
import picocli.CommandLine.Option;

/** An identity on the command line. The number is better passed in SERVERHOLD_ID_NUMBER (arguments show in ps). */
public final class IdentityOptions {
  @Option(names = "--id-type", description = "RESIDENT_ID_CARD, PASSPORT, BUSINESS_LICENCE or OTHER.")
  IdentityType type;

  @Option(names = "--id-number", defaultValue = "${env:SERVERHOLD_ID_NUMBER}", description = "Identity number.")
  String number;

  @Option(names = "--id-name", description = "Name on the document.")
  String name;

  boolean given() {
    return type != null || (number != null && !number.isEmpty());
  }

  RegistrantIdentity toProto() {
    var b = RegistrantIdentity.newBuilder();
    if (type != null) {
      b.setType(type);
    }
    if (number != null) {
      b.setNumber(number);
    }
    if (name != null) {
      b.setName(name);
    }
    return b.build();
  }
}
