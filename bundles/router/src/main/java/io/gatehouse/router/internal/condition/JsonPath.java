package io.gatehouse.router.internal.condition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The restricted JSON path of body queries: {@code a.b.c}, {@code a[0].b}, {@code a[1][2]}. */
public final class JsonPath {
    private final String text;
    /** Each step is a field name (String) or an array index (Integer). */
    private final Object[] steps;

    private JsonPath(String text, Object[] steps) {
        this.text = text;
        this.steps = steps;
    }

    /** @throws IllegalArgumentException with the reason when the path is malformed */
    public static JsonPath parse(String text) {
        List<Object> steps = new ArrayList<>();
        int i = 0;
        int n = text.length();
        boolean expectName = true;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '[') {
                int close = text.indexOf(']', i);
                if (close < 0) throw new IllegalArgumentException("missing ']' in body path '" + text + "'");
                String digits = text.substring(i + 1, close);
                if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 9) {
                    throw new IllegalArgumentException("array index '" + digits + "' in body path '" + text
                            + "' is not a non-negative integer");
                }
                if (steps.isEmpty()) throw new IllegalArgumentException("body path '" + text + "' must start with a field name");
                steps.add(Integer.valueOf(digits));
                i = close + 1;
                expectName = false;
            } else if (c == '.') {
                if (expectName) throw new IllegalArgumentException("empty field name in body path '" + text + "'");
                i++;
                expectName = true;
                if (i == n) throw new IllegalArgumentException("body path '" + text + "' ends with '.'");
            } else if (c == ']') {
                throw new IllegalArgumentException("unmatched ']' in body path '" + text + "'");
            } else {
                if (!expectName) throw new IllegalArgumentException("expected '.' or '[' after ']' in body path '" + text + "'");
                int end = i;
                while (end < n && text.charAt(end) != '.' && text.charAt(end) != '[' && text.charAt(end) != ']') end++;
                steps.add(text.substring(i, end));
                i = end;
                expectName = false;
            }
        }
        if (steps.isEmpty()) throw new IllegalArgumentException("empty body path");
        return new JsonPath(text, steps.toArray());
    }

    /** How many steps the path has; step 0 is always a field name. */
    int length() {
        return steps.length;
    }

    /** Step {@code i}: a field name (String) or an array index (Integer). */
    Object step(int i) {
        return steps[i];
    }

    /** The node at this path, or null when a step does not exist. */
    public JsonNode resolve(JsonNode root) {
        JsonNode node = root;
        for (Object step : steps) {
            node = step instanceof String s ? node.get(s) : node.get((Integer) step);
            if (node == null) return null;
        }
        return node;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonPath p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
