package dev.wharf.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A YAML mapping being read with its path. Keys outside the allowed set are reported when it is opened; a key whose
 * value is YAML null counts as absent. Scalars go through environment substitution. Only {@link #parsed} echoes a
 * value in a problem, so secrets are read with {@link #text}.
 */
final class YamlMapping {
    private final JsonNode node;
    private final String path;
    private final ReadContext context;

    private YamlMapping(JsonNode node, String path, ReadContext context) {
        this.node = node;
        this.path = path;
        this.context = context;
    }

    /** The mapping at {@code path}; empty after reporting when {@code node} is not a mapping. */
    static Optional<YamlMapping> open(
            JsonNode node, String path, String expected, ReadContext context, Set<String> allowedKeys) {
        if (!node.isObject()) {
            context.problems().add(path.isEmpty() ? "top level" : path, describe(node), expected);
            return Optional.empty();
        }
        YamlMapping mapping = new YamlMapping(node, path, context);
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!allowedKeys.contains(key)) {
                context.problems().add(mapping.pathOf(key), "unknown key");
            }
        }
        return Optional.of(mapping);
    }

    /** The scalar text of {@code node} after substitution; empty after reporting when not a scalar or unset. */
    static Optional<String> scalar(JsonNode node, String path, String expected, ReadContext context) {
        if (node.isContainerNode()) {
            context.problems().add(path, describe(node), expected);
            return Optional.empty();
        }
        if (!node.isTextual()) {
            return Optional.of(node.asText());
        }
        return EnvSubstitution.apply(node.textValue(), context.env(), path, context.problems());
    }

    /** Applies {@code parser} to a scalar, reporting the shown value when it throws {@link IllegalArgumentException}. */
    static <T> Optional<T> parse(
            JsonNode node, String path, String expected, ReadContext context, Function<String, T> parser) {
        return scalar(node, path, expected, context).flatMap(text -> {
            try {
                return Optional.of(parser.apply(text));
            } catch (IllegalArgumentException e) {
                context.problems().invalid(path, text, expected);
                return Optional.empty();
            }
        });
    }

    static String describe(JsonNode node) {
        if (node.isObject()) {
            return "a mapping";
        }
        return node.isArray() ? "a list" : "a scalar";
    }

    String path() {
        return path;
    }

    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    ReadContext context() {
        return context;
    }

    /** True when {@code key} is present with a non-null value. */
    boolean has(String key) {
        JsonNode value = node.get(key);
        return value != null && !value.isNull();
    }

    /** The raw value of {@code key}; empty when absent or null. */
    Optional<JsonNode> node(String key) {
        return has(key) ? Optional.of(node.get(key)) : Optional.empty();
    }

    /** The substituted text of {@code key}; empty when absent, or after reporting a bad shape or unset variable. */
    Optional<String> text(String key, String expected) {
        return node(key).flatMap(value -> scalar(value, pathOf(key), expected, context));
    }

    /** Like {@link #text} but reports {@code missing} when the key is absent. */
    Optional<String> requiredText(String key, String expected) {
        if (!has(key)) {
            context.problems().add(pathOf(key), "missing", expected);
            return Optional.empty();
        }
        return text(key, expected);
    }

    /** {@code key} parsed by {@code parser}; empty when absent or after reporting a bad value. */
    <T> Optional<T> parsed(String key, String expected, Function<String, T> parser) {
        return node(key).flatMap(value -> parse(value, pathOf(key), expected, context, parser));
    }

    /** Like {@link #parsed} but reports {@code missing} when the key is absent. */
    <T> Optional<T> requiredParsed(String key, String expected, Function<String, T> parser) {
        if (!has(key)) {
            context.problems().add(pathOf(key), "missing", expected);
            return Optional.empty();
        }
        return parsed(key, expected, parser);
    }

    /** The elements of the list at {@code key} with their paths; empty when absent or after reporting a non-list. */
    Optional<List<Located<JsonNode>>> elements(String key, String expected) {
        Optional<JsonNode> value = node(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (!value.get().isArray()) {
            context.problems().add(pathOf(key), describe(value.get()), expected);
            return Optional.empty();
        }
        List<Located<JsonNode>> elements = new ArrayList<>();
        for (int i = 0; i < value.get().size(); i++) {
            elements.add(new Located<>(pathOf(key) + "[" + i + "]", value.get().get(i)));
        }
        return Optional.of(elements);
    }

    /** A list of scalars each parsed by {@code parser}; bad items are reported and left out. */
    <T> Optional<List<Located<T>>> list(String key, String itemExpected, Function<String, T> parser) {
        return elements(key, "a list of " + itemExpected).map(elements -> {
            List<Located<T>> items = new ArrayList<>();
            for (Located<JsonNode> element : elements) {
                parse(element.value(), element.path(), itemExpected, context, parser)
                        .ifPresent(item -> items.add(new Located<>(element.path(), item)));
            }
            return items;
        });
    }
}
