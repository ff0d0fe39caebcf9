package dev.kiln.core.internal.recipe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value that remembers where it stood in the file, so every problem found later can
 * name its line and column. Jackson's tree model drops locations; this keeps them.
 */
sealed interface YamlNode {
  int line();

  int column();

  /** A short name of the node's kind for messages: "a map", "a list", "text", "a number"... */
  String kind();

  /** A mapping; keys keep their order and location. */
  record MapNode(Map<String, Entry> entries, int line, int column) implements YamlNode {
    public MapNode {
      entries = new LinkedHashMap<>(entries);
    }

    @Override
    public String kind() {
      return "a map";
    }
  }

  /** A key with its location and value. */
  record Entry(String key, int line, int column, YamlNode value) {}

  /** A sequence. */
  record ListNode(List<YamlNode> items, int line, int column) implements YamlNode {
    public ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String kind() {
      return "a list";
    }
  }

  /** A scalar with its text and YAML type. */
  record Scalar(String text, ScalarType type, int line, int column) implements YamlNode {
    @Override
    public String kind() {
      return type.description;
    }
  }

  /** The YAML scalar types Kiln tells apart. */
  enum ScalarType {
    STRING("text"),
    INTEGER("a whole number"),
    DECIMAL("a decimal number"),
    BOOLEAN("true/false"),
    NULL("an empty value");

    final String description;

    ScalarType(String description) {
      this.description = description;
    }
  }
}
