package dev.kiln.cloudstack.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reading CloudStack's JSON: responses are wrapped in {@code <command>response}. */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  public static JsonNode parse(String body) throws IOException {
    return MAPPER.readTree(body);
  }

  /** The object inside the single top-level {@code …response} field. */
  public static JsonNode unwrap(JsonNode root) {
    if (root == null || !root.isObject() || root.size() == 0) {
      return MissingNode.getInstance();
    }
    return root.elements().next();
  }

  public static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  public static Optional<String> optionalText(JsonNode node, String field) {
    String t = text(node, field);
    return t.isEmpty() ? Optional.empty() : Optional.of(t);
  }

  /** The elements of an array field (CloudStack omits the field when the list is empty). */
  public static List<JsonNode> list(JsonNode node, String field) {
    List<JsonNode> out = new ArrayList<>();
    JsonNode v = node.get(field);
    if (v != null && v.isArray()) {
      v.forEach(out::add);
    } else if (v != null && v.isObject()) {
      out.add(v);
    }
    return out;
  }
}
