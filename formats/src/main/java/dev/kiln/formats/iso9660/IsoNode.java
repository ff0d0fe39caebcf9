package dev.kiln.formats.iso9660;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One entry of the tree an ISO is written from: a directory, a file or a symbolic link. */
final class IsoNode {
  enum Kind {
    DIRECTORY,
    FILE,
    SYMLINK
  }

  final Kind kind;
  final String name; // the name as the user sees it (Rock Ridge), "" for the root
  final IsoNode parent;
  final List<IsoNode> children = new ArrayList<>();
  Path source; // FILE from disk
  byte[] content; // FILE from memory
  long size;
  String linkTarget; // SYMLINK
  int mode;

  // layout, filled by the writer
  String isoName;
  String jolietName;
  long extent;
  long primaryDirExtent;
  long primaryDirSize;
  long jolietDirExtent;
  long jolietDirSize;
  int primaryNumber;
  int jolietNumber;

  IsoNode(Kind kind, String name, IsoNode parent, int mode) {
    this.kind = kind;
    this.name = name;
    this.parent = parent;
    this.mode = mode;
  }

  IsoNode child(String childName) {
    for (IsoNode c : children) {
      if (c.name.equals(childName)) {
        return c;
      }
    }
    return null;
  }

  String path() {
    return parent == null ? "" : (parent.parent == null ? "" : parent.path() + "/") + name;
  }

  int depth() {
    return parent == null ? 1 : parent.depth() + 1;
  }
}
