package dev.kiln.cloudstack;

/** A guest OS type, e.g. {@code Debian GNU/Linux 12 (64-bit)}. */
public record OsType(String id, String description) {}
