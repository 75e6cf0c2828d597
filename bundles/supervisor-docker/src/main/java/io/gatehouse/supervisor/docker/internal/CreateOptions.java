package io.gatehouse.supervisor.docker.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.github.dockerjava.api.command.CreateContainerCmd;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns a module's spec into Docker's create parameters: {@code createOptions} read straight into
 * docker-java's create command (its Jackson names are Docker's own: {@code Env}, {@code Cmd},
 * {@code HostConfig}, …), then the image, the spec's environment and our labels on top.
 */
final class CreateOptions {

    /** docker-java's own property names; unknown ones are skipped and reported, as Docker would ignore them. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private CreateOptions() {
    }

    /**
     * Fills {@code cmd} (not yet sent) from the spec.
     *
     * @return the paths of the {@code createOptions} properties docker-java does not know, which
     *         were left out
     */
    static List<String> applyTo(CreateContainerCmd cmd, ModuleSpec spec, DockerSettings settings)
            throws ModuleRuntimeException {
        List<String> ignored = new ArrayList<>();
        try {
            JSON.readerForUpdating(cmd).withHandler(new SkipUnknown(ignored)).readValue(settings.createOptions());
        } catch (JsonMappingException e) {
            // the path and the expected type are enough; the value itself may be a secret
            throw new ModuleRuntimeException("module '" + spec.name() + "': settings.createOptions."
                    + path(e) + " has the wrong form for Docker's create parameters" + expected(e));
        } catch (IOException e) {
            throw new ModuleRuntimeException("module '" + spec.name() + "': settings.createOptions cannot be read: "
                    + e.getClass().getSimpleName());
        }
        cmd.withImage(settings.image().reference());
        cmd.withName(spec.name());
        cmd.withEnv(mergeEnvironment(cmd.getEnv(), spec.environment()));
        Map<String, String> labels = new LinkedHashMap<>(cmd.getLabels() == null ? Map.of() : cmd.getLabels());
        ModuleLabels.addTo(labels, spec.version(), spec.environment().keySet());
        cmd.withLabels(labels);
        return ignored;
    }

    /** The spec's variables win over {@code createOptions}' {@code Env} of the same name. */
    static List<String> mergeEnvironment(String[] fromOptions, Map<String, String> fromSpec) {
        Map<String, String> byName = new LinkedHashMap<>();
        if (fromOptions != null) {
            for (String entry : fromOptions) {
                if (entry == null) continue;
                int eq = entry.indexOf('=');
                byName.put(eq < 0 ? entry : entry.substring(0, eq), entry);
            }
        }
        new TreeMap<>(fromSpec).forEach((name, value) -> byName.put(name, name + "=" + value));
        return List.copyOf(byName.values());
    }

    private static String path(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining());
        return path.startsWith(".") ? path.substring(1) : path;
    }

    private static String expected(JsonMappingException e) {
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            Class<?> target = m.getTargetType();
            String name = target.isArray() || List.class.isAssignableFrom(target) ? "an array"
                    : Map.class.isAssignableFrom(target) ? "an object"
                    : Number.class.isAssignableFrom(target) || target.isPrimitive() && target != boolean.class
                            ? "a number"
                    : target == Boolean.class || target == boolean.class ? "a boolean"
                    : target == String.class ? "a string" : "a " + target.getSimpleName();
            return " (expected " + name + ")";
        }
        return "";
    }

    /** Records and skips a property docker-java does not know. */
    private static final class SkipUnknown extends DeserializationProblemHandler {
        private final List<String> ignored;

        SkipUnknown(List<String> ignored) {
            this.ignored = ignored;
        }

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                Object beanOrClass, String propertyName) throws IOException {
            // positioned on the value: a scalar's context is its object's, an object's or array's is its own
            Deque<String> names = new ArrayDeque<>();
            for (JsonStreamContext c = p.getParsingContext(); c != null; c = c.getParent()) {
                if (c.getCurrentName() != null) names.push(c.getCurrentName());
            }
            if (!propertyName.equals(names.peekLast())) names.addLast(propertyName);
            ignored.add(String.join(".", names));
            p.skipChildren();
            return true;
        }
    }
}
