package io.gatehouse.api.message;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable message as it travels through the hub: a body, system properties (keys of
 * {@link SystemProperties}) and application properties. Identity properties
 * ({@link SystemProperties#CONNECTION_DEVICE_ID}, {@link SystemProperties#CONNECTION_MODULE_ID})
 * are stamped by the protocol head from authentication, never copied from the client.
 */
public final class Message {
    private final byte[] body;
    private final Map<String, String> systemProperties;
    private final Map<String, String> properties;

    private Message(byte[] body, Map<String, String> systemProperties, Map<String, String> properties) {
        this.body = body;
        this.systemProperties = Collections.unmodifiableMap(new LinkedHashMap<>(systemProperties));
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts as a copy of this message. */
    public Builder toBuilder() {
        Builder b = new Builder().body(body);
        b.systemProperties.putAll(systemProperties);
        b.properties.putAll(properties);
        return b;
    }

    /** The body; callers must not modify the returned array. */
    public byte[] body() {
        return body;
    }

    public Map<String, String> systemProperties() {
        return systemProperties;
    }

    /** Application properties, in the order the sender gave them. */
    public Map<String, String> properties() {
        return properties;
    }

    public String systemProperty(String key) {
        return systemProperties.get(key);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Message)) return false;
        Message m = (Message) o;
        return Arrays.equals(body, m.body) && systemProperties.equals(m.systemProperties)
                && properties.equals(m.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(body), systemProperties, properties);
    }

    @Override
    public String toString() {
        return "Message[" + body.length + " bytes, system=" + systemProperties + ", properties=" + properties + "]";
    }

    public static final class Builder {
        private byte[] body = new byte[0];
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final Map<String, String> properties = new LinkedHashMap<>();

        public Builder body(byte[] body) {
            this.body = Objects.requireNonNull(body, "body");
            return this;
        }

        public Builder systemProperty(String key, String value) {
            if (value == null) systemProperties.remove(key);
            else systemProperties.put(key, value);
            return this;
        }

        public Builder property(String key, String value) {
            if (value == null) properties.remove(key);
            else properties.put(key, value);
            return this;
        }

        public Message build() {
            return new Message(body, systemProperties, properties);
        }
    }
}
