package dev.kiln.kvm.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Files of a machine on the local host: used in place, or in the machine directory. */
final class LocalStore implements MachineStore {
  private final MachineDirectory dir;

  LocalStore(MachineDirectory dir) {
    this.dir = dir;
  }

  @Override
  public Path place(Path local, String name) {
    return local.toAbsolutePath();
  }

  @Override
  public Path hostFile(String name) throws IOException {
    Path file = dir.resolve(name);
    Files.deleteIfExists(file);
    return file;
  }

  @Override
  public ConsoleFollower.Source reader(String name) {
    return ConsoleFollower.Source.file(dir.resolve(name));
  }

  @Override
  public void fetch(String name, Path destination) throws IOException {
    Files.copy(dir.resolve(name), destination, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public Path hostDirectory() {
    return dir.path();
  }

  @Override
  public boolean isLocal() {
    return true;
  }

  @Override
  public Path scratch() {
    return dir.path();
  }

  @Override
  public void close() throws IOException {
    dir.close();
  }
}
