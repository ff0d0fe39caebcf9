package dev.kiln.api.event;

/** The stages of a build, in the order they run. */
public enum Stage {
  SOURCE,
  INSTALL,
  CONNECT,
  PROVISION,
  GENERALIZE,
  EXPORT,
  VERIFY,
  PUBLISH
}
