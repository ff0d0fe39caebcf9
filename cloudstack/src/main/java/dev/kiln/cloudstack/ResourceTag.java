package dev.kiln.cloudstack;

/** A resource tag: a key/value label on a template, VM, ... */
public record ResourceTag(String key, String value, String resourceId, String resourceType) {}
