package studio.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hydra-composed YAML config as Galvatron 3.0's {@code load_with_hydra} builds it (v3 spec §2.0): the file, then
 * the command-line overrides ({@code a.b=v}, {@code +a.b=v}, {@code ++a.b=v}, {@code ~a.b}) with struct-mode checks,
 * then every {@code ${...}} interpolation resolved. The result is a plain JSON tree.
 */
public final class HydraConfig {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** YAML's streaming parser: the tree is built by {@link JsonFiles#tree}, without a YAMLMapper (see JsonFiles.Mapper). */
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([^${}]+)}");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d[\\d_]*");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d[\\d_]*)?(\\.\\d*)?([eE][+-]?\\d+)?");

    private HydraConfig() {
    }

    /** Reads {@code file}, applies {@code overrides} in order and resolves the interpolations. */
    public static ObjectNode compose(Path file, List<String> overrides) {
        ObjectNode root = read(file);
        for (String override : overrides) apply(file, root, override);
        return (ObjectNode) resolve(file, root, root, "", new HashSet<>());
    }

    /** A YAML file as a tree (mappings must be mappings at the top). */
    public static ObjectNode read(Path file) {
        if (!Files.isRegularFile(file)) throw new InputFileException(file, null, "file not found");
        JsonNode tree;
        try {
            if (Files.size(file) > JsonFiles.MAX_INPUT_BYTES) {
                throw new InputFileException(file, null, "larger than " + (JsonFiles.MAX_INPUT_BYTES >> 20) + " MiB; not a config");
            }
            try (var parser = YAML.createParser(Files.readString(file))) {
                tree = JsonFiles.tree(parser);
            }
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new InputFileException(file, null, "expected YAML (" + why + ")");
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) return NODES.objectNode();
        if (!tree.isObject()) throw new InputFileException(file, null, "expected a YAML mapping at the top, found " + JsonFiles.kind(tree));
        return (ObjectNode) tree;
    }

    // ---------------------------------------------------------------- overrides

    static void apply(Path file, ObjectNode root, String override) {
        String text = override.strip();
        if (text.startsWith("~")) {
            String key = text.substring(1);
            int eq = key.indexOf('=');
            if (eq >= 0) key = key.substring(0, eq);
            ObjectNode parent = parentOf(file, root, key, false, override);
            String leaf = leaf(key);
            if (parent == null || !parent.has(leaf)) {
                throw overrideError(file, override, "Could not delete from config. '" + key + "' does not exist.");
            }
            parent.remove(leaf);
            return;
        }
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw overrideError(file, override, "expected key=value, +key=value, ++key=value or ~key (a Hydra override)");
        }
        String key = text.substring(0, eq);
        String value = text.substring(eq + 1);
        boolean add = false;
        boolean force = false;
        if (key.startsWith("++")) {
            force = true;
            key = key.substring(2);
        } else if (key.startsWith("+")) {
            add = true;
            key = key.substring(1);
        }
        if (!key.matches("[A-Za-z_][\\w-]*(\\.[A-Za-z_0-9][\\w-]*)*")) {
            throw overrideError(file, override, "'" + key + "' is not a config key (dotted names, e.g. search_engine.options_info.log_dir)");
        }
        ObjectNode parent = parentOf(file, root, key, add || force, override);
        String leaf = leaf(key);
        boolean present = parent != null && parent.has(leaf);
        if (!add && !force && !present) {
            throw overrideError(file, override, "Could not override '" + key + "'. To append to your config use +" + key + "=" + value);
        }
        if (add && present) {
            throw overrideError(file, override, "Could not append to config. An item is already at '" + key + "'.");
        }
        parent.set(leaf, parseValue(value));
    }

    private static InputFileException overrideError(Path file, String override, String why) {
        return new InputFileException(file, override, why);
    }

    private static String leaf(String key) {
        int dot = key.lastIndexOf('.');
        return dot < 0 ? key : key.substring(dot + 1);
    }

    private static ObjectNode parentOf(Path file, ObjectNode root, String key, boolean create, String override) {
        String[] parts = key.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = node.get(parts[i]);
            if (next == null || next.isNull()) {
                if (!create) return null;
                next = node.putObject(parts[i]);
            } else if (!next.isObject()) {
                throw overrideError(file, override, "'" + String.join(".", java.util.Arrays.copyOf(parts, i + 1))
                        + "' is a " + JsonFiles.kind(next) + ", not a group");
            }
            node = (ObjectNode) next;
        }
        return node;
    }

    /** Hydra's value grammar: null, booleans (any case), ints, floats, quoted strings, [a,b] lists, else a string. */
    static JsonNode parseValue(String raw) {
        String v = raw.strip();
        if (v.isEmpty()) return TextNode.valueOf("");
        if ((v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\"")) && v.length() >= 2) {
            return TextNode.valueOf(v.substring(1, v.length() - 1));
        }
        if (v.startsWith("[") && v.endsWith("]")) {
            ArrayNode list = NODES.arrayNode();
            String inner = v.substring(1, v.length() - 1).strip();
            if (!inner.isEmpty()) for (String item : splitList(inner)) list.add(parseValue(item));
            return list;
        }
        String lower = v.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("null")) return NODES.nullNode();
        if (lower.equals("true")) return NODES.booleanNode(true);
        if (lower.equals("false")) return NODES.booleanNode(false);
        if (INTEGER.matcher(v).matches()) {
            String digits = v.replace("_", "");
            try {
                return NODES.numberNode(Long.parseLong(digits));
            } catch (NumberFormatException e) {
                return NODES.numberNode(new java.math.BigInteger(digits));
            }
        }
        if (lower.matches("[+-]?inf") ) return NODES.numberNode(lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        if (lower.equals("nan")) return NODES.numberNode(Double.NaN);
        if (FLOAT.matcher(v).matches() && v.chars().anyMatch(Character::isDigit)) {
            return NODES.numberNode(Double.parseDouble(v.replace("_", "")));
        }
        return TextNode.valueOf(v);
    }

    private static List<String> splitList(String inner) {
        List<String> items = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                items.add(inner.substring(start, i));
                start = i + 1;
            }
        }
        items.add(inner.substring(start));
        return items;
    }

    // ---------------------------------------------------------------- interpolation

    private static JsonNode resolve(Path file, ObjectNode root, JsonNode node, String path, Set<String> resolving) {
        if (node.isObject()) {
            ObjectNode out = NODES.objectNode();
            for (Map.Entry<String, JsonNode> e : JsonFiles.fields((ObjectNode) node)) {
                String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                out.set(e.getKey(), resolve(file, root, e.getValue(), child, resolving));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode();
            int i = 0;
            for (JsonNode item : node) out.add(resolve(file, root, item, path + "[" + i++ + "]", resolving));
            return out;
        }
        if (!node.isTextual() || !node.asText().contains("${")) return node;
        String text = node.asText();
        if (!resolving.add(path)) {
            throw new InputFileException(file, path, "interpolation refers back to itself");
        }
        try {
            Matcher whole = INTERPOLATION.matcher(text);
            if (whole.matches()) return lookup(file, root, whole.group(1).strip(), path, resolving);
            Matcher m = INTERPOLATION.matcher(text);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                JsonNode v = lookup(file, root, m.group(1).strip(), path, resolving);
                m.appendReplacement(sb, Matcher.quoteReplacement(v.isNull() ? "None" : v.asText()));
            }
            m.appendTail(sb);
            return TextNode.valueOf(sb.toString());
        } finally {
            resolving.remove(path);
        }
    }

    private static JsonNode lookup(Path file, ObjectNode root, String reference, String path, Set<String> resolving) {
        if (reference.startsWith("oc.env:")) {
            String[] parts = reference.substring("oc.env:".length()).split(",", 2);
            String value = System.getenv(parts[0].strip());
            if (value != null) return TextNode.valueOf(value);
            if (parts.length == 2) return parseValue(parts[1]);
            throw new InputFileException(file, path, "environment variable " + parts[0].strip() + " is not set (from ${" + reference + "})");
        }
        if (reference.contains(":")) {
            throw new InputFileException(file, path, "resolver '" + reference.substring(0, reference.indexOf(':'))
                    + "' is not supported (only ${key} references and ${oc.env:NAME})");
        }
        JsonNode node = root;
        StringBuilder at = new StringBuilder();
        for (String part : reference.split("\\.")) {
            if (at.length() > 0) at.append('.');
            at.append(part);
            JsonNode next = node.isObject() ? node.get(part) : null;
            if (next == null) {
                throw new InputFileException(file, path, "interpolation ${" + reference + "} refers to '" + at + "', which is not in the config");
            }
            node = next;
        }
        return resolve(file, root, node, reference, resolving);
    }
}
