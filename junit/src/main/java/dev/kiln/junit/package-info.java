/**
 * Kiln's JUnit 5 extension: {@link dev.kiln.junit.KilnTemplate} boots a template for a test
 * class as CloudStack would (ConfigDrive, larger disk, loopback-only network) and injects a
 * {@link dev.kiln.junit.TemplateMachine}, so a team keeps its template tests in its own
 * repository, the way Testcontainers keeps container tests.
 */
package dev.kiln.junit;
