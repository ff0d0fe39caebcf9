package dev.kiln.api.archfixture;

import com.fasterxml.jackson.databind.JsonNode;

/** A deliberate violation: a public API type exposing a third-party type. */
public final class ExposesJackson {
  public JsonNode tree() {
    return null;
  }
}
