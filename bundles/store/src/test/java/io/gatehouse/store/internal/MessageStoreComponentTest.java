package io.gatehouse.store.internal;

import static io.gatehouse.store.internal.StoreTestSupport.bodies;
import static io.gatehouse.store.internal.StoreTestSupport.drain;
import static io.gatehouse.store.internal.StoreTestSupport.message;
import static io.gatehouse.store.internal.StoreTestSupport.to;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.store.QueueConsumer;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageStoreComponentTest {

    @TempDir
    Path dir;

    @Test
    void aReactivatedComponentHasEverythingThatWasAppendedBefore() throws Exception {
        MessageStoreComponent.Config config = config(Map.of("directory", dir.toString()));
        MessageStoreComponent component = new MessageStoreComponent();
        component.activate(config);
        component.append(message("1"), to("$upstream"));
        component.append(message("2"), to("$upstream"));
        QueueConsumer consumer = component.consume("$upstream");
        consumer.acknowledge(consumer.poll());
        component.deactivate();

        MessageStoreComponent updated = new MessageStoreComponent();
        updated.activate(config);
        try {
            assertThat(bodies(drain(updated.consume("$upstream")))).containsExactly("2");
            assertThat(updated.queues()).singleElement()
                    .satisfies(s -> assertThat(s.delivered()).isEqualTo(1))
                    .satisfies(s -> assertThat(s.appended()).isEqualTo(2));
        } finally {
            updated.deactivate();
        }
    }

    @Test
    void anUnknownRollCycleFallsBackToTheDefault() throws Exception {
        MessageStoreComponent component = new MessageStoreComponent();
        component.activate(config(Map.of("directory", dir.toString(), "rollCycle", "EVERY_BLUE_MOON")));
        try {
            component.append(message("1"), to("ep"));
            assertThat(bodies(drain(component.consume("ep")))).containsExactly("1");
        } finally {
            component.deactivate();
        }
    }

    @Test
    void analyticsAreOffUnlessSomeoneDecidedOtherwise() {
        String key = ChronicleProperties.ANALYTICS_DISABLE;
        String before = System.getProperty(key);
        try {
            System.clearProperty(key);
            ChronicleProperties.applyDefaults();
            assertThat(System.getProperty(key)).isEqualTo("true");

            System.setProperty(key, "false");
            ChronicleProperties.applyDefaults();
            assertThat(System.getProperty(key)).isEqualTo("false");
        } finally {
            if (before == null) System.clearProperty(key);
            else System.setProperty(key, before);
        }
    }

    /** A Config as SCR would build it: the given values, defaults for the rest. */
    private static MessageStoreComponent.Config config(Map<String, Object> values) {
        return (MessageStoreComponent.Config) Proxy.newProxyInstance(MessageStoreComponent.Config.class.getClassLoader(),
                new Class<?>[] {MessageStoreComponent.Config.class},
                (proxy, method, args) -> values.containsKey(method.getName())
                        ? values.get(method.getName()) : method.getDefaultValue());
    }
}
