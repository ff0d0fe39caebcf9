/**
 * Kiln's public API: the recipe model (what template to build), its YAML loader, the typed
 * exceptions, and the build entry points. Every type here takes and returns JDK or Kiln types
 * only; everything else lives in {@code internal}-style packages that embedders must not use.
 */
package dev.kiln.api;
