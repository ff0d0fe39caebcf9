/**
 * The build history: every build's {@link dev.kiln.api.event.BuildSummary} in a SQL database
 * ({@link dev.kiln.core.history.BuildHistory}) and what a team reads from it
 * ({@link dev.kiln.core.history.HistoryReport}: success rate, median and p95 build time per
 * OS, and the last build flagged when it grew).
 */
package dev.kiln.core.history;
