package io.gatehouse.router.internal.condition;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The body paths a set of conditions reads ({@code $body} queries and
 * {@code twin_change_includes}), known when the routes are compiled, and the streaming reader that
 * takes just their values out of a JSON body in one pass.
 *
 * <p>The reader gives exactly what Jackson's {@code readTree} followed by {@link JsonPath#resolve}
 * gives, without building the tree: it still reads the whole root value, because a later repeated
 * key replaces an earlier value (the last one wins, objects included, as in the tree) and a syntax
 * error anywhere makes the body not JSON. Subtrees no path enters are skipped without decoding their
 * strings or numbers; content after the root value is ignored, as {@code readTree} ignores it.
 * Immutable and thread-safe.
 */
public final class BodyPaths {

    /** What a path found that is not a string, number or bool. */
    enum Found {
        /** A step does not exist (a missing key, an index past the end, a step into a scalar). */
        ABSENT,
        /** JSON {@code null}. */
        JSON_NULL,
        /** An object or an array. */
        STRUCTURE
    }

    /** One path of a set: where its value is in {@link #read}'s result. */
    record Slot(BodyPaths paths, int index, JsonPath path) {
    }

    public static final BodyPaths NONE = new BodyPaths(List.of());

    private final List<JsonPath> paths;
    private final Map<JsonPath, Integer> indexes;
    private final Node root = new Node();

    private BodyPaths(Collection<JsonPath> distinct) {
        this.paths = List.copyOf(distinct);
        this.indexes = new HashMap<>();
        for (JsonPath path : paths) {
            int index = indexes.size();
            indexes.put(path, index);
            root.add(path, 0, index);
        }
        root.seal();
    }

    public static BodyPaths of(Collection<JsonPath> paths) {
        return paths.isEmpty() ? NONE : new BodyPaths(new LinkedHashSet<>(paths));
    }

    /** Every path of every set, once: what all the routes of a table read from one message. */
    public static BodyPaths union(Collection<BodyPaths> sets) {
        Set<JsonPath> all = new LinkedHashSet<>();
        for (BodyPaths set : sets) all.addAll(set.paths);
        return all.isEmpty() ? NONE : new BodyPaths(all);
    }

    public List<JsonPath> paths() {
        return paths;
    }

    public boolean isEmpty() {
        return paths.isEmpty();
    }

    /** @throws IllegalArgumentException when the path is not in this set */
    Slot slot(JsonPath path) {
        Integer index = indexes.get(path);
        if (index == null) throw new IllegalArgumentException("body path '" + path + "' is not in " + paths);
        return new Slot(this, index, path);
    }

    /** Where {@code slot}'s path is in this set's values, or -1 when the set does not read it. */
    int indexOf(Slot slot) {
        if (slot.paths() == this) return slot.index();
        Integer index = indexes.get(slot.path());
        return index == null ? -1 : index;
    }

    /**
     * The value of every path, by slot index: a String, a Double, a Boolean or a {@link Found};
     * null when the input is empty (as {@code readTree} gives a missing node for it).
     *
     * @throws IOException when the input is not JSON (syntax, encoding, or Jackson's read limits)
     */
    Object[] read(JsonParser parser) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) return null;
        // The tree decodes a root scalar, and a root string with a raw control character fails there.
        if (!first.isStructStart()) valueOf(parser, first);
        Object[] values = new Object[paths.size()];
        Arrays.fill(values, Found.ABSENT);
        read(parser, first, root, values);
        return values;
    }

    private static void read(JsonParser p, JsonToken token, Node node, Object[] values) throws IOException {
        if (node.index >= 0) values[node.index] = valueOf(p, token);
        if (token == JsonToken.START_OBJECT) {
            if (node.fields == null) {
                p.skipChildren();
                return;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                Node child = node.fields.get(p.currentName());
                JsonToken value = next(p);
                if (child == null) {
                    p.skipChildren();
                } else {
                    // A repeated key replaces the whole earlier value, as in the tree: forget what it gave.
                    for (int i : child.indexesWithin) values[i] = Found.ABSENT;
                    read(p, value, child, values);
                }
            }
            if (t != JsonToken.END_OBJECT) throw new IOException("unexpected " + t + " in an object");
        } else if (token == JsonToken.START_ARRAY) {
            if (node.elements == null) {
                p.skipChildren();
                return;
            }
            int wanted = 0;
            JsonToken t;
            for (int i = 0; (t = next(p)) != JsonToken.END_ARRAY; i++) {
                if (wanted < node.elementIndexes.length && node.elementIndexes[wanted] == i) {
                    read(p, t, node.elements[wanted++], values);
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    private static JsonToken next(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) throw new IOException("unexpected end of the body");
        return t;
    }

    /** The value as the tree would give it ({@code textValue}, {@code doubleValue}, {@code booleanValue}). */
    private static Object valueOf(JsonParser p, JsonToken token) throws IOException {
        switch (token) {
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                // The tree keeps an int, a long or a BigInteger and converts it to double when asked.
                switch (p.getNumberType()) {
                    case INT: return (double) p.getIntValue();
                    case LONG: return (double) p.getLongValue();
                    default: return p.getBigIntegerValue().doubleValue();
                }
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return Found.JSON_NULL;
            default:
                return Found.STRUCTURE;
        }
    }

    /** A step of the paths: which fields and elements below it some path enters, and which path ends here. */
    private static final class Node {
        int index = -1;
        Map<String, Node> fields;
        TreeMap<Integer, Node> elementsByIndex;
        int[] elementIndexes;
        Node[] elements;
        int[] indexesWithin;

        void add(JsonPath path, int step, int pathIndex) {
            if (step == path.length()) {
                index = pathIndex;
                return;
            }
            Object s = path.step(step);
            Node child;
            if (s instanceof String name) {
                if (fields == null) fields = new HashMap<>();
                child = fields.computeIfAbsent(name, k -> new Node());
            } else {
                if (elementsByIndex == null) elementsByIndex = new TreeMap<>();
                child = elementsByIndex.computeIfAbsent((Integer) s, k -> new Node());
            }
            child.add(path, step + 1, pathIndex);
        }

        /** Fixes the lookups the reader uses: elements in index order, the slots each subtree holds. */
        List<Integer> seal() {
            List<Integer> within = new ArrayList<>();
            if (index >= 0) within.add(index);
            if (fields != null) {
                for (Node child : fields.values()) within.addAll(child.seal());
            }
            if (elementsByIndex != null) {
                elementIndexes = elementsByIndex.keySet().stream().mapToInt(Integer::intValue).toArray();
                elements = elementsByIndex.values().toArray(new Node[0]);
                for (Node child : elements) within.addAll(child.seal());
                elementsByIndex = null;
            }
            indexesWithin = within.stream().mapToInt(Integer::intValue).toArray();
            return within;
        }
    }
}
