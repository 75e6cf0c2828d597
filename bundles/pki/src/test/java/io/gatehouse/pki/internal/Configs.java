package io.gatehouse.pki.internal;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Component configurations as DS builds them: the given values, otherwise the declared defaults. */
final class Configs {

    private Configs() {
    }

    static EdgeCertificateAuthority.Config of(Map<String, Object> values) {
        Class<EdgeCertificateAuthority.Config> type = EdgeCertificateAuthority.Config.class;
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

    /** Generated certificates in the directory, with the given overrides (key, value, key, value...). */
    static EdgeCertificateAuthority.Config generated(Path directory, Object... overrides) {
        Map<String, Object> values = new HashMap<>();
        values.put("directory", directory.toString());
        for (int i = 0; i < overrides.length; i += 2) {
            values.put((String) overrides[i], overrides[i + 1]);
        }
        return of(values);
    }
}
