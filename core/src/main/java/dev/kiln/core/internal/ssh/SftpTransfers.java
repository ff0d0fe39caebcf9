package dev.kiln.core.internal.ssh;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.SftpATTRS;
import com.jcraft.jsch.SftpException;
import com.jcraft.jsch.SftpProgressMonitor;
import dev.kiln.api.CommunicatorException;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.api.event.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Vector;
import java.util.stream.Stream;

/**
 * Uploads and downloads over an SFTP channel of the build's connection, files and directory
 * trees, with byte progress events; remote names with path separators are refused.
 */
final class SftpTransfers {
  private final EventHandlers events;
  private final String buildId;

  SftpTransfers(EventHandlers events, String buildId) {
    this.events = events;
    this.buildId = buildId;
  }

  /** Uploads a file, or a directory tree, to {@code remotePath}. */
  void upload(ChannelSftp sftp, Path local, String remotePath) throws CommunicatorException {
    try {
      if (Files.isDirectory(local)) {
        mkdirs(sftp, remotePath);
        try (Stream<Path> files = Files.walk(local)) {
          for (Path p : (Iterable<Path>) files::iterator) {
            String target = remotePath + "/" + local.relativize(p).toString().replace('\\', '/');
            if (p.equals(local)) {
              continue;
            }
            if (Files.isDirectory(p)) {
              mkdirs(sftp, target);
            } else {
              put(sftp, p, target);
            }
          }
        }
      } else {
        put(sftp, local, remotePath);
      }
    } catch (SftpException | IOException e) {
      throw new CommunicatorException("uploading " + local + " to " + remotePath + ": "
          + e.getMessage(), e);
    }
  }

  private void put(ChannelSftp sftp, Path file, String target) throws SftpException,
      IOException {
    long size = Files.size(file);
    // named by where it goes: the local file may be a temporary one with a random name
    sftp.put(file.toString(), target, progress("upload " + target, size), ChannelSftp.OVERWRITE);
  }

  /** Downloads a file, or a directory tree, to {@code local} (files as .partial, renamed). */
  void download(ChannelSftp sftp, String remotePath, Path local) throws CommunicatorException {
    try {
      get(sftp, remotePath, local);
    } catch (SftpException | IOException e) {
      throw new CommunicatorException("downloading " + remotePath + " to " + local + ": "
          + e.getMessage(), e);
    }
  }

  private void get(ChannelSftp sftp, String remote, Path local) throws SftpException,
      IOException {
    SftpATTRS attrs = sftp.stat(remote);
    if (attrs.isDir()) {
      Files.createDirectories(local);
      @SuppressWarnings("unchecked")
      Vector<ChannelSftp.LsEntry> entries = sftp.ls(remote);
      for (ChannelSftp.LsEntry e : entries) {
        String name = e.getFilename();
        if (name.equals(".") || name.equals("..")) {
          continue;
        }
        if (name.contains("/") || name.contains("\\")) {
          throw new IOException("refusing a remote file name with a path separator: " + name);
        }
        get(sftp, remote + "/" + name, local.resolve(name));
      }
    } else {
      Path partial = local.resolveSibling(local.getFileName() + ".partial");
      sftp.get(remote, partial.toString(), progress("download " + remote, attrs.getSize()));
      Files.move(partial, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private SftpProgressMonitor progress(String task, long size) {
    return new SftpProgressMonitor() {
      private long done;

      @Override
      public void init(int op, String src, String dest, long max) {}

      @Override
      public boolean count(long count) {
        done += count;
        events.dispatch(new KilnEvent.ByteProgress(buildId, Instant.now(), Stage.PROVISION,
            task, done, size));
        return true;
      }

      @Override
      public void end() {}
    };
  }

  private static void mkdirs(ChannelSftp sftp, String path) throws SftpException {
    StringBuilder cur = new StringBuilder(path.startsWith("/") ? "" : ".");
    for (String part : path.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      cur.append('/').append(part);
      try {
        sftp.stat(cur.toString());
      } catch (SftpException absent) {
        sftp.mkdir(cur.toString());
      }
    }
  }
}
