/**
 * Typed build events. Kiln reports progress and diagnostics only through these, never through
 * a logging framework; the CLI renders them and embedders subscribe with {@link
 * dev.kiln.api.event.EventHandlers}.
 */
package dev.kiln.api.event;
