package io.gatehouse.agent.internal.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Joins the chunks of {@code settings.createOptions} and checks the result is a JSON object. A twin
 * value holds at most 512 characters, so a long createOptions is split into {@code createOptions},
 * {@code createOptions01} … {@code createOptions99}, joined in that order.
 */
final class CreateOptions {

    static final String KEY = "createOptions";
    static final int MAX_CHUNK_LENGTH = 512;
    static final int MAX_CHUNKS = 100;
    private static final Pattern CHUNK_KEY = Pattern.compile("createOptions(\\d+)");

    private CreateOptions() {
    }

    static boolean isChunkKey(String key) {
        return key.equals(KEY) || CHUNK_KEY.matcher(key).matches();
    }

    /** Compact JSON of the options object; {@code "{}"} when there are none. */
    static String join(String module, JsonNode settings, ObjectMapper json) throws InvalidManifestException {
        TreeMap<Integer, JsonNode> chunks = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : settings.properties()) {
            String key = e.getKey();
            if (key.equals(KEY)) {
                chunks.put(0, e.getValue());
                continue;
            }
            Matcher m = CHUNK_KEY.matcher(key);
            if (!m.matches()) continue;
            String digits = m.group(1);
            int index = digits.length() == 2 ? Integer.parseInt(digits) : -1;
            if (index < 1) {
                throw InvalidManifestException.module(module, "settings." + key + " is not a createOptions chunk"
                        + " (chunks are createOptions, createOptions01 … createOptions" + (MAX_CHUNKS - 1) + ")");
            }
            chunks.put(index, e.getValue());
        }
        if (chunks.isEmpty()) return ModuleSettings.EMPTY_CREATE_OPTIONS;

        // An object (not a string) is what a person writes by hand; the reference stringifies it too.
        JsonNode first = chunks.get(0);
        if (first != null && first.isObject() && chunks.size() == 1) return compact(first, json);

        StringBuilder joined = new StringBuilder();
        int expected = 0;
        for (Map.Entry<Integer, JsonNode> c : chunks.entrySet()) {
            String key = chunkKey(c.getKey());
            if (c.getKey() != expected) {
                throw InvalidManifestException.module(module, "settings." + key + " is out of order: "
                        + "settings." + chunkKey(expected) + " is missing (chunks must be consecutive from createOptions)");
            }
            JsonNode value = c.getValue();
            if (!value.isTextual()) {
                throw InvalidManifestException.module(module, "settings." + key + " must be a string holding"
                        + " JSON, got " + Kinds.of(value));
            }
            if (value.textValue().length() > MAX_CHUNK_LENGTH) {
                throw InvalidManifestException.module(module, "settings." + key + " has "
                        + value.textValue().length() + " characters; a chunk holds at most " + MAX_CHUNK_LENGTH
                        + " (split it into createOptions01, createOptions02, …)");
            }
            joined.append(value.textValue());
            expected++;
        }
        String text = joined.toString().strip();
        if (text.isEmpty() || text.equals("null")) return ModuleSettings.EMPTY_CREATE_OPTIONS;
        JsonNode options;
        try {
            options = json.readTree(text);
        } catch (JsonProcessingException e) {
            // The options may hold secrets (env, binds): say where, never what.
            throw InvalidManifestException.module(module, "settings.createOptions is not valid JSON"
                    + Kinds.where(e));
        }
        if (options == null || options.isNull()) return ModuleSettings.EMPTY_CREATE_OPTIONS;
        if (!options.isObject()) {
            throw InvalidManifestException.module(module, "settings.createOptions must hold a JSON object, got "
                    + Kinds.of(options));
        }
        return compact(options, json);
    }

    private static String chunkKey(int index) {
        return index == 0 ? KEY : String.format("%s%02d", KEY, index);
    }

    private static String compact(JsonNode options, ObjectMapper json) {
        try {
            return json.writeValueAsString(options);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }
}
