package dev.kiln.cloudstack;

import dev.kiln.api.Secret;
import java.util.Optional;

/** A deployed VM; {@code password} is set for password-enabled templates (never printed). */
public record VirtualMachine(String id, String name, String state, Optional<Secret> password) {}
