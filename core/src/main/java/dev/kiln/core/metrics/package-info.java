/**
 * Build metrics through Micrometer: {@link dev.kiln.core.metrics.KilnMetrics} records each
 * build's summary in the embedder's registry.
 */
package dev.kiln.core.metrics;
