package io.gatehouse.api.module;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One module of a deployment as the agent hands it to a runtime.
 *
 * @param name the module's name in the deployment (unique on the gateway)
 * @param type the runtime that runs it: {@code process}, {@code docker}, {@code bundle}, …
 * @param version the deployment's free-form version of the module
 * @param environment the variables the module gets, already resolved (the manifest's {@code env}
 *        and the ones the agent adds, such as its connection string)
 * @param settings the manifest's {@code settings} object as plain values (String, Number, Boolean,
 *        List, Map, null); each runtime documents the keys it reads
 */
public record ModuleSpec(String name, String type, String version, Map<String, String> environment,
        Map<String, Object> settings) {

    public ModuleSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        environment = Map.copyOf(environment);
        // settings may hold JSON nulls, which Map.copyOf refuses
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }
}
