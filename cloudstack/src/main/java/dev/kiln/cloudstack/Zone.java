package dev.kiln.cloudstack;

/** A CloudStack zone. */
public record Zone(String id, String name) {}
