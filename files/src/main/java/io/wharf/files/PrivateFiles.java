package io.wharf.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files and directories only their owner can read: directories 0700, files 0600, whatever the
 * process's umask. A permission given at creation applies from the first byte (a umask can only
 * take bits away, never add them); one set afterwards would leave a moment in which others could
 * open the file. On a file system without POSIX permissions nothing is changed.
 */
public final class PrivateFiles {
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private PrivateFiles() {}

  /**
   * Replaces {@code file} with {@code bytes}, owner-only, all or nothing: written to a sibling
   * {@code <name>.tmp} created 0600, forced to disk, then renamed over the file, so a crash leaves
   * either the old contents or the new ones, never a torn file.
   */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    createFile(tmp);
    Files.write(tmp, bytes);
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Creates {@code dir} and any missing parents owner-only; an existing {@code dir} is made so. */
  public static void createDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      tighten(absolute);
      return;
    }
    Path parent = absolute.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(absolute, attribute(DIRECTORY));
    } catch (FileAlreadyExistsException e) {
      // Made meanwhile (another thread or process): tighten it like any existing one.
      tighten(absolute);
    } catch (UnsupportedOperationException e) {
      Files.createDirectory(absolute);
    }
  }

  /** Creates {@code file} empty and owner-only unless it exists; an existing one is made so. */
  public static void createFile(Path file) throws IOException {
    try {
      Files.createFile(file, attribute(FILE));
    } catch (FileAlreadyExistsException e) {
      tighten(file);
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
  }

  /**
   * Takes every group and other permission away from {@code root} and everything under it (a data
   * directory written by an older Wharf, or copied in with a permissive umask). Symbolic links are
   * neither followed nor changed.
   */
  public static void tightenTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    // A data directory that is a link: its target's tree (the walk does not follow links).
    Files.walkFileTree(
        root.toRealPath(),
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            tighten(dir);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (!attrs.isSymbolicLink()) {
              tighten(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            // Gone meanwhile (a temporary file renamed, a socket removed): nothing to tighten.
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Takes the group and other permissions away from one existing path. */
  public static void tighten(Path path) throws IOException {
    try {
      // Through a link to its target (a link's own mode means nothing, and setting one follows it).
      Set<PosixFilePermission> now = Files.getPosixFilePermissions(path);
      if (now.stream().anyMatch(OTHERS::contains)) {
        Set<PosixFilePermission> owner = EnumSet.copyOf(now);
        owner.removeAll(OTHERS);
        Files.setPosixFilePermissions(path, owner);
      }
    } catch (UnsupportedOperationException e) {
      // No POSIX permissions here (not Linux or macOS): nothing to take away.
    } catch (java.nio.file.NoSuchFileException e) {
      // Removed meanwhile.
    }
  }

  private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> p) {
    return PosixFilePermissions.asFileAttribute(p);
  }
}
