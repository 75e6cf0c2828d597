package io.gatehouse.auth.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Component configurations as DS builds them: the given values, otherwise the declared defaults. */
final class Configs {

    private Configs() {
    }

    static <T> T of(Class<T> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (values.containsKey(method.getName())) {
                return values.get(method.getName());
            }
            if (method.getDefaultValue() != null) {
                return method.getDefaultValue();
            }
            if (method.getName().equals("toString")) {
                return type.getSimpleName() + values;
            }
            throw new UnsupportedOperationException(method.getName());
        }));
    }

    static FileIdentityRegistry.Config registry(java.nio.file.Path directory) {
        return of(FileIdentityRegistry.Config.class, Map.of("directory", directory.toString()));
    }

    static SasTokenAuthenticator.Config hub() {
        return of(SasTokenAuthenticator.Config.class, Map.of());
    }
}
