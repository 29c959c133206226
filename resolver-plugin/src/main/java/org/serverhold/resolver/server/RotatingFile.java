package org.serverhold.resolver.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An append-only file rotated by size, named as java.util.logging's FileHandler names them (which
 * the denial log used before, so operators' log shippers keep working): with {@code count > 1}
 * the current file is {@code FILE.0} and older ones {@code FILE.1} ... {@code FILE.(count-1)};
 * with {@code count == 1}, {@code FILE} itself, truncated when full. One writer thread only.
 */
final class RotatingFile implements AutoCloseable {
  private final Path base;
  private final long limitBytes;
  private final int count;
  private FileChannel out;
  private long size;

  RotatingFile(Path base, long limitBytes, int count) throws IOException {
    this.base = base;
    this.limitBytes = limitBytes;
    this.count = Math.max(1, count);
    open();
  }

  private Path generation(int g) {
    return count == 1 ? base : base.resolveSibling(base.getFileName() + "." + g);
  }

  private void open() throws IOException {
    out = FileChannel.open(generation(0), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    size = out.size();
  }

  /** Appends {@code bytes[0, len)}; rotates first when they would take the file over its limit. */
  void write(byte[] bytes, int len) throws IOException {
    if (limitBytes > 0 && size > 0 && size + len > limitBytes) {
      rotate();
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, 0, len);
    while (b.hasRemaining()) {
      size += out.write(b);
    }
  }

  private void rotate() throws IOException {
    out.close();
    if (count == 1) {
      Files.delete(base);
    } else {
      for (int g = count - 2; g >= 0; g--) {
        Path from = generation(g);
        if (Files.exists(from)) {
          Files.move(from, generation(g + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    open();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
