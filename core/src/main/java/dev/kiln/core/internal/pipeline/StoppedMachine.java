package dev.kiln.core.internal.pipeline;

/** The generalize stage's result: the machine powered off, its disk ready to export. */
record StoppedMachine(RunningMachine machine) {}
