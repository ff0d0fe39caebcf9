package dev.kiln.api;

/**
 * A template created by publishing, in one zone.
 *
 * @param id the cloud's id of the template
 * @param name its name
 * @param zone the zone it is registered in
 * @param hypervisor the hypervisor it is registered for, as the cloud names it
 */
public record PublishedTemplate(String id, String name, String zone, String hypervisor) {}
