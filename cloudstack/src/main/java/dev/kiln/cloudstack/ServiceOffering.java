package dev.kiln.cloudstack;

/** A compute offering (CPUs and memory of a VM). */
public record ServiceOffering(String id, String name) {}
