package io.gatehouse.amqp.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** A component configuration from overrides and the declared defaults, as DS builds it. */
final class Configs {
    private Configs() {
    }

    @SuppressWarnings("unchecked")
    static <A> A of(Class<A> type, Map<String, Object> overrides) {
        return (A) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getName().equals("annotationType")) return type;
            if (overrides.containsKey(method.getName())) return overrides.get(method.getName());
            return method.getDefaultValue();
        });
    }
}
