/**
 * Service provider interfaces: what a hypervisor, a guest communicator, an OS profile and a
 * publisher must do. Implementations are found with {@link java.util.ServiceLoader} and can
 * always be passed in explicitly.
 */
package dev.kiln.spi;
