package org.serverhold.registry.importer;

/**
 * One problem with one input row: the file, the line the row starts on, the column (or
 * {@code row} for the row as a whole) and what is wrong. Never carries an identity number.
 */
public record Reject(ImportFile file, long line, String field, String problem) {
  public Reject {
    problem = problem.length() > 512 ? problem.substring(0, 512) : problem;
    field = field.length() > 64 ? field.substring(0, 64) : field;
  }
}
