package dev.kiln.core.internal.pipeline;

import java.util.List;

/** The provision stage's result: the guest as the recipe wants it, and its package list. */
record ProvisionedGuest(GuestSession session, List<String> packages) {}
