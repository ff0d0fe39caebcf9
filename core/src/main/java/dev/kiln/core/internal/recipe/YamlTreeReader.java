package dev.kiln.core.internal.recipe;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.core.internal.recipe.YamlNode.Entry;
import dev.kiln.core.internal.recipe.YamlNode.ListNode;
import dev.kiln.core.internal.recipe.YamlNode.MapNode;
import dev.kiln.core.internal.recipe.YamlNode.Scalar;
import dev.kiln.core.internal.recipe.YamlNode.ScalarType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses YAML text into {@link YamlNode}s with locations, reporting duplicate keys. */
final class YamlTreeReader {
  /** Guards against hostile documents (deep nesting, aliases expanding without bound). */
  private static final int MAX_DEPTH = 64;

  private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

  private final Problems problems;

  YamlTreeReader(Problems problems) {
    this.problems = problems;
  }

  /** The document's root, or null after a syntax error (which is recorded). */
  YamlNode read(String text) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        problems.add(0, 0, "", "the recipe is empty");
        return null;
      }
      YamlNode root = readValue(parser, 0);
      if (parser.nextToken() != null) {
        problems.add(line(parser.currentTokenLocation()), col(parser.currentTokenLocation()), "",
            "a recipe is one YAML document; remove the second one");
      }
      return root;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      // SnakeYAML's message repeats the location and quotes the line with a caret; keep only
      // the sentences ("while parsing a flow sequence; expected ',' or ']', but got <stream end>").
      String message = e.getOriginalMessage().lines()
          .filter(l -> !l.isBlank() && !l.startsWith(" ") && !l.startsWith("\t"))
          .map(String::strip)
          .collect(java.util.stream.Collectors.joining("; "));
      problems.add(at == null ? 0 : line(at), at == null ? 0 : col(at), "",
          "invalid YAML: " + message);
      return null;
    } catch (IOException e) {
      problems.add(0, 0, "", "invalid YAML: " + e.getMessage());
      return null;
    }
  }

  private YamlNode readValue(JsonParser parser, int depth) throws IOException {
    JsonLocation at = parser.currentTokenLocation();
    if (depth > MAX_DEPTH) {
      throw new JsonProcessingException("nested deeper than " + MAX_DEPTH + " levels", at) {
        private static final long serialVersionUID = 1L;
      };
    }
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT:
        return readMap(parser, at, depth);
      case START_ARRAY:
        List<YamlNode> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          items.add(readValue(parser, depth + 1));
        }
        return new ListNode(items, line(at), col(at));
      case VALUE_STRING:
        return new Scalar(parser.getText(), ScalarType.STRING, line(at), col(at));
      case VALUE_NUMBER_INT:
        return new Scalar(parser.getText(), ScalarType.INTEGER, line(at), col(at));
      case VALUE_NUMBER_FLOAT:
        return new Scalar(parser.getText(), ScalarType.DECIMAL, line(at), col(at));
      case VALUE_TRUE:
      case VALUE_FALSE:
        return new Scalar(parser.getText(), ScalarType.BOOLEAN, line(at), col(at));
      case VALUE_NULL:
        return new Scalar("", ScalarType.NULL, line(at), col(at));
      default:
        return new Scalar(parser.getText(), ScalarType.STRING, line(at), col(at));
    }
  }

  private MapNode readMap(JsonParser parser, JsonLocation at, int depth) throws IOException {
    Map<String, Entry> entries = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      JsonLocation keyAt = parser.currentTokenLocation();
      parser.nextToken();
      YamlNode value = readValue(parser, depth + 1);
      if (entries.containsKey(key)) {
        problems.add(line(keyAt), col(keyAt), key, "duplicate key (first at line "
            + entries.get(key).line() + ")");
      } else {
        entries.put(key, new Entry(key, line(keyAt), col(keyAt), value));
      }
    }
    return new MapNode(entries, line(at), col(at));
  }

  private static int line(JsonLocation at) {
    return Math.max(at.getLineNr(), 0);
  }

  private static int col(JsonLocation at) {
    return Math.max(at.getColumnNr(), 0);
  }
}
