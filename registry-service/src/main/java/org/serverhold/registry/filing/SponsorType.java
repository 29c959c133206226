package org.serverhold.registry.filing;

public enum SponsorType {
  ENTERPRISE,
  PUBLIC_INSTITUTION,
  GOVERNMENT_AGENCY,
  MILITARY,
  SOCIAL_ORGANISATION,
  INDIVIDUAL
}
