package dev.kiln.core.internal.recipe;

import dev.kiln.api.DidYouMean;
import dev.kiln.core.internal.recipe.YamlNode.Entry;
import dev.kiln.core.internal.recipe.YamlNode.ListNode;
import dev.kiln.core.internal.recipe.YamlNode.MapNode;
import dev.kiln.core.internal.recipe.YamlNode.Scalar;
import dev.kiln.core.internal.recipe.YamlNode.ScalarType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recipe's {@code variables:} and their {@code ${var.NAME}} references (Packer's habit): the
 * declarations are read, the values given from outside ({@code --var}, var files) are checked
 * against them (a value for an undeclared variable is a problem), the environment
 * ({@code KILN_VAR_NAME}, Packer's {@code PKR_VAR_}) fills declared variables left without, and every reference in a text value is replaced
 * before the recipe itself is read, so every later check sees the real value at the reference's
 * line. {@code $${var.x}} is a literal {@code ${var.x}}. A value that is a reference alone takes
 * the type its text has ({@code cpus: ${var.cpus}} is a number when the value is {@code 4}).
 * Sensitive values are kept for masking: problems never quote them, the build log masks them,
 * the export searches the disk for them.
 */
final class RecipeVariables {
  static final String KEY = "variables";
  private static final Pattern REFERENCE = Pattern.compile("\\$(\\$?)\\{var\\.([^}]*)}");
  private static final String NAME_RULE = "[A-Za-z_][A-Za-z0-9_-]{0,63}";

  /** One declaration. */
  record Declared(String name, Scalar defaultValue, boolean sensitive, int line, int column) {}

  private final Problems problems;
  private final Map<String, Declared> declared = new LinkedHashMap<>();
  private final Map<String, Scalar> values = new LinkedHashMap<>();
  private final Set<String> sensitiveValues = new LinkedHashSet<>();
  private final Map<String, String> sensitiveByName = new LinkedHashMap<>();

  private RecipeVariables(Problems problems) {
    this.problems = problems;
  }

  /**
   * Reads the root's declarations, checks {@code given} (name to value, from outside the
   * recipe) against them and returns the root with every reference replaced; problems are
   * recorded, never thrown.
   */
  static RecipeVariables resolve(MapNode root, Map<String, String> given,
      java.util.function.UnaryOperator<String> environment, Problems problems) {
    RecipeVariables v = new RecipeVariables(problems);
    Entry e = root.entries().get(KEY);
    if (e != null) {
      v.declare(e);
    }
    v.bind(given, environment);
    return v;
  }

  /**
   * A var file: a YAML map of variable names to values (text, numbers, true/false), e.g.
   * {@code mirror: http://mirror.example/debian}.
   *
   * @throws dev.kiln.api.InvalidRecipeException with every problem, located
   */
  static Map<String, String> readFile(String yaml, String fileName)
      throws dev.kiln.api.InvalidRecipeException {
    Problems problems = new Problems(fileName);
    YamlNode root = new YamlTreeReader(problems).read(yaml);
    Map<String, String> out = new LinkedHashMap<>();
    if (root != null && !(root instanceof MapNode)) {
      problems.add(root.line(), root.column(), "", "a var file is a map of variable names to "
          + "values, e.g. mirror: http://deb.debian.org/debian");
    } else if (root != null) {
      for (Entry e : ((MapNode) root).entries().values()) {
        if (e.value() instanceof Scalar s && s.type() != ScalarType.NULL) {
          out.put(e.key(), s.text());
        } else {
          problems.add(e.value().line(), e.value().column(), e.key(), "expected text, a number "
              + "or true/false, found " + e.value().kind());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new dev.kiln.api.InvalidRecipeException(problems.sorted());
    }
    return out;
  }

  /** The sensitive variables' values by name, for masking. */
  Map<String, String> sensitive() {
    return sensitiveByName;
  }

  /** {@code text} with every sensitive value replaced by {@code ****}. */
  String mask(String text) {
    String out = text;
    for (String s : sensitiveValues) {
      out = out.replace(s, "****");
    }
    return out;
  }

  private void declare(Entry e) {
    if (!(e.value() instanceof MapNode map)) {
      problems.add(e.value().line(), e.value().column(), KEY, "expected a map of variable "
          + "names, e.g. variables: {mirror: http://deb.debian.org/debian}");
      return;
    }
    for (Entry d : map.entries().values()) {
      String field = KEY + "." + d.key();
      if (!d.key().matches(NAME_RULE)) {
        problems.add(d.line(), d.column(), field, "a variable name is letters, digits, '_' or "
            + "'-', starting with a letter or '_'");
        continue;
      }
      Scalar def = null;
      boolean sensitive = false;
      if (d.value() instanceof Scalar s) {
        def = s.type() == ScalarType.NULL ? null : s;
      } else if (d.value() instanceof MapNode spec) {
        MapReader m = new MapReader(spec, field, problems);
        YamlNode raw = m.rawValue("default");
        if (raw instanceof Scalar s && s.type() != ScalarType.NULL) {
          def = s;
        } else if (raw != null && !(raw instanceof Scalar)) {
          m.problem("default", "expected text, a number or true/false, found " + raw.kind());
        }
        sensitive = m.bool("sensitive", false);
        m.string("description");
        m.finish();
      } else {
        problems.add(d.value().line(), d.value().column(), field, "expected a default value or "
            + "{default: …, sensitive: true, description: …}, found " + d.value().kind());
        continue;
      }
      if (def != null && REFERENCE.matcher(def.text()).find()) {
        problems.add(def.line(), def.column(), field, "a default cannot refer to a variable");
        def = null;
      }
      declared.put(d.key(), new Declared(d.key(), def, sensitive, d.line(), d.column()));
    }
  }

  /** {@code environment} maps a variable's environment name ({@code KILN_VAR_x}) to its value. */
  private void bind(Map<String, String> given,
      java.util.function.UnaryOperator<String> environment) {
    for (var g : given.entrySet()) {
      if (!declared.containsKey(g.getKey())) {
        problems.add(0, 0, KEY, "a value was given for '" + g.getKey() + "', which the recipe "
            + "does not declare" + hint(g.getKey()) + "; declare it under variables:");
      }
    }
    for (Declared d : declared.values()) {
      Scalar value;
      if (given.containsKey(d.name())) {
        value = typed(given.get(d.name()), d.line(), d.column());
      } else if (environment.apply("KILN_VAR_" + d.name()) != null) {
        value = typed(environment.apply("KILN_VAR_" + d.name()), d.line(), d.column());
      } else if (d.defaultValue() != null) {
        value = d.defaultValue();
      } else {
        continue; // reported where it is used: a variable nobody uses may stay unset
      }
      values.put(d.name(), value);
      if (d.sensitive() && !value.text().isEmpty()) {
        sensitiveValues.add(value.text());
        sensitiveByName.put(d.name(), value.text());
      }
    }
  }

  /** {@code node} with every reference in its text replaced. */
  YamlNode substitute(YamlNode node, String path) {
    if (node instanceof MapNode map) {
      Map<String, Entry> out = new LinkedHashMap<>();
      for (Entry e : map.entries().values()) {
        // the declarations themselves are not substituted (a default cannot refer)
        YamlNode value = path.isEmpty() && e.key().equals(KEY) ? e.value()
            : substitute(e.value(), path.isEmpty() ? e.key() : path + "." + e.key());
        out.put(e.key(), new Entry(e.key(), e.line(), e.column(), value));
      }
      return new MapNode(out, map.line(), map.column());
    }
    if (node instanceof ListNode list) {
      List<YamlNode> items = new ArrayList<>();
      for (int i = 0; i < list.items().size(); i++) {
        items.add(substitute(list.items().get(i), path + "[" + i + "]"));
      }
      return new ListNode(items, list.line(), list.column());
    }
    Scalar s = (Scalar) node;
    if (s.type() != ScalarType.STRING || !s.text().contains("${")) {
      return s;
    }
    Matcher m = REFERENCE.matcher(s.text());
    if (m.matches() && m.group(1).isEmpty()) {
      Scalar v = value(m.group(2), s, path);
      return v == null ? s : new Scalar(v.text(), v.type(), s.line(), s.column());
    }
    StringBuilder out = new StringBuilder();
    int last = 0;
    m.reset();
    while (m.find()) {
      out.append(s.text(), last, m.start());
      if (!m.group(1).isEmpty()) {
        out.append("${var.").append(m.group(2)).append('}');
      } else {
        Scalar v = value(m.group(2), s, path);
        out.append(v == null ? "" : v.text());
      }
      last = m.end();
    }
    out.append(s.text().substring(last));
    return new Scalar(out.toString(), ScalarType.STRING, s.line(), s.column());
  }

  private Scalar value(String name, Scalar at, String path) {
    Declared d = declared.get(name);
    if (d == null) {
      problems.addAndSpoil(at.line(), at.column(), path, "unknown variable '" + name + "'" + hint(name)
          + (declared.isEmpty() ? "; declare it under variables:" : "; declared: "
              + String.join(", ", declared.keySet())));
      return null;
    }
    Scalar v = values.get(name);
    if (v == null) {
      problems.addAndSpoil(at.line(), at.column(), path, "variable '" + name + "' has no value: give "
          + "--var " + name + "=VALUE, put it in a --var-file, or set KILN_VAR_" + name);
    }
    return v;
  }

  private String hint(String name) {
    return DidYouMean.suggest(name, declared.keySet()).map(g -> " (did you mean '" + g + "'?)")
        .orElse("");
  }

  /** A value given as text, typed as YAML would type it. */
  private static Scalar typed(String text, int line, int column) {
    ScalarType t;
    if (text.matches("-?[0-9]+")) {
      t = ScalarType.INTEGER;
    } else if (text.matches("-?[0-9]+\\.[0-9]+")) {
      t = ScalarType.DECIMAL;
    } else if (text.equals("true") || text.equals("false")) {
      t = ScalarType.BOOLEAN;
    } else {
      t = ScalarType.STRING;
    }
    return new Scalar(text, t, line, column);
  }
}
