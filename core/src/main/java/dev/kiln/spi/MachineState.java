package dev.kiln.spi;

/** What a build machine is doing. */
public enum MachineState {
  DEFINED,
  RUNNING,
  PAUSED,
  SHUT_OFF,
  CRASHED
}
