package io.gatehouse.itests.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.store.MessageStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * Invariant 6, hot swap loses nothing: a device streams QoS 1 telemetry routed to a module input
 * while another thread updates a bundle (not the broker). Every message must reach the module and
 * neither client may lose its connection.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RouterHotSwapTest extends GatehouseTestSupport {

    private static final int MESSAGES = 2000;
    /** Publishes in flight at once: enough to keep the hub busy while the bundle is swapped. */
    private static final int WINDOW = 50;
    private static final long STREAM_MILLIS = 60_000;

    private static final IdentityId DEVICE = IdentityId.device("dev1");
    private static final IdentityId MODULE = IdentityId.module(GatehouseFramework.EDGE_DEVICE_ID, "sink");
    private static final String ROUTES = "{\"schemaVersion\":\"1.1\",\"routes\":{\"r\":\"FROM /messages/* WHERE NOT "
            + "is_defined($connectionModuleId) INTO BrokeredEndpoint(\\\"/modules/sink/inputs/in1\\\")\"},"
            + "\"storeAndForwardConfiguration\":{\"timeToLiveSecs\":7200}}";

    @Test
    public void updatingTheRouterMidStreamLosesNoMessageAndKeepsConnections() throws Exception {
        streamWhileUpdating("io.gatehouse.router");
    }

    @Test
    public void updatingTheStoreMidStreamLosesNoMessageAndKeepsConnections() throws Exception {
        streamWhileUpdating("io.gatehouse.store");
    }

    private void streamWhileUpdating(String symbolicName) throws Exception {
        int port = intProperty(GatehouseFramework.MQTT_PORT);
        String hubHost = context.getProperty(GatehouseFramework.IOTHUB_HOSTNAME);
        String deviceKey = keyOf(DEVICE);
        String moduleKey = keyOf(MODULE);
        service(EdgeHubConfigurator.class).apply(ROUTES);

        String run = symbolicName.substring(symbolicName.lastIndexOf('.') + 1) + "-" + System.nanoTime() + "-";
        Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
        AtomicInteger otherRuns = new AtomicInteger();
        Queue<String> wrongTopics = new ConcurrentLinkedQueue<>();
        String inputTopic = "devices/" + MODULE.deviceId() + "/modules/" + MODULE.moduleId() + "/inputs/in1/";

        try (HubMqttClient module = HubMqttClient.connect(port, hubHost, MODULE, moduleKey, WINDOW);
                HubMqttClient device = HubMqttClient.connect(port, hubHost, DEVICE, deviceKey, WINDOW)) {
            module.onMessage((topic, message) -> {
                String body = new String(message.getPayload(), StandardCharsets.UTF_8);
                if (!topic.startsWith(inputTopic)) wrongTopics.add(topic);
                if (body.startsWith(run)) {
                    received.computeIfAbsent(body, b -> new AtomicInteger()).incrementAndGet();
                } else {
                    otherRuns.incrementAndGet();
                }
            });
            int granted = module.subscribe("devices/" + MODULE.deviceId() + "/modules/" + MODULE.moduleId() + "/inputs/#", 1);
            assertNotEquals("hub refused the module's input subscription", 0x80, granted);

            Bundle target = bundle(symbolicName);
            long lastModifiedBefore = target.getLastModified();
            AtomicInteger acked = new AtomicInteger();
            CountDownLatch quarterAcked = new CountDownLatch(1);
            Updater updater = new Updater(target, quarterAcked, acked);
            updater.start();

            Queue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicLong slowestAckNanos = new AtomicLong();
            Semaphore window = new Semaphore(WINDOW);
            CountDownLatch done = new CountDownLatch(MESSAGES);
            long start = System.nanoTime();
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    if (!window.tryAcquire(STREAM_MILLIS, TimeUnit.MILLISECONDS)) {
                        fail("no PUBACK for " + WINDOW + " publishes in " + STREAM_MILLIS + " ms (" + acked.get()
                                + " acknowledged; " + updater.report() + ")");
                    }
                    if (device.connectionLost() != null) {
                        fail("the device lost its connection after " + acked.get() + " PUBACKs (" + updater.report()
                                + "): " + device.connectionLost());
                    }
                    String body = run + i;
                    MqttMessage message = new MqttMessage(body.getBytes(StandardCharsets.UTF_8));
                    message.setQos(1);
                    long sent = System.nanoTime();
                    publish(device, message, updater, acked, new IMqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            slowestAckNanos.accumulateAndGet(System.nanoTime() - sent, Math::max);
                            if (acked.incrementAndGet() == MESSAGES / 4) quarterAcked.countDown();
                            window.release();
                            done.countDown();
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable e) {
                            failures.add(body + ": " + e);
                            window.release();
                            done.countDown();
                        }
                    });
                }
                assertTrue("publishes still unacknowledged after " + STREAM_MILLIS + " ms (" + acked.get() + " of "
                        + MESSAGES + "; " + updater.report() + ")", done.await(STREAM_MILLIS, TimeUnit.MILLISECONDS));
            } finally {
                // Whatever happened, the next test must not start while the bundle is still being swapped.
                if (quarterAcked.getCount() > 0) updater.interrupt();
                updater.join(STREAM_MILLIS);
            }
            long streamMillis = (System.nanoTime() - start) / 1_000_000;

            assertNull("Bundle.update() of " + symbolicName + " failed", updater.failure.get());
            assertTrue("the update never ran: " + updater.report(), updater.finished);
            assertTrue("the update did not begin mid-stream: " + updater.report(), updater.ackedAtBegin < MESSAGES * 3 / 4);
            assertTrue("the bundle was not updated (same last-modified time)", target.getLastModified() > lastModifiedBefore);
            assertEquals("publishes the hub failed: " + failures, List.of(), List.copyOf(failures));

            long deadline = System.currentTimeMillis() + STREAM_MILLIS;
            while (received.size() < MESSAGES && System.currentTimeMillis() < deadline) {
                sleep(50);
            }
            sleep(200); // late duplicates still count
            TreeSet<Integer> missing = new TreeSet<>();
            for (int i = 0; i < MESSAGES; i++) {
                if (!received.containsKey(run + i)) missing.add(i);
            }
            int total = received.values().stream().mapToInt(AtomicInteger::get).sum();
            int duplicates = total - received.size();
            System.out.printf("[itest] %s updated mid-stream: %s; %d published and acknowledged in %d ms, slowest PUBACK"
                    + " %d ms; module got %d distinct, %d duplicates, %d from earlier runs%n", symbolicName,
                    updater.report(), acked.get(), streamMillis, slowestAckNanos.get() / 1_000_000, received.size(),
                    duplicates, otherRuns.get());

            assertTrue(missing.size() + " of " + MESSAGES + " acknowledged messages never reached the module, first: "
                    + missing.stream().limit(20).toList(), missing.isEmpty());
            assertTrue("messages on a topic other than " + inputTopic + "…: " + wrongTopics, wrongTopics.isEmpty());
            assertNull("the device lost its connection", device.connectionLost());
            assertNull("the module lost its connection", module.connectionLost());
            assertTrue("a client is no longer connected", device.isConnected() && module.isConnected());

            assertEquals(symbolicName + " is not active after the update", Bundle.ACTIVE, target.getState());
            service(MessageRouter.class); // fails when a service did not come back
            service(MessageStore.class);
            String current = service(EdgeHubConfigurator.class).current();
            assertNotNull("the routes are gone after the update", current);
            assertTrue("the route is gone after the update: " + current, current.contains("/modules/sink/inputs/in1"));
        }
    }

    private static void publish(HubMqttClient device, MqttMessage message, Updater updater, AtomicInteger acked,
            IMqttActionListener listener) {
        try {
            device.paho().publish("devices/" + DEVICE.deviceId() + "/messages/events/", message, null, listener);
        } catch (MqttException e) {
            throw new AssertionError("the device could not publish after " + acked.get() + " PUBACKs (" + updater.report()
                    + "): " + e + "; connection lost: " + device.connectionLost(), e);
        }
    }

    /** The identity's key, registering it with a fresh key the first time. */
    private String keyOf(IdentityId id) {
        IdentityRegistry registry = service(IdentityRegistry.class);
        Identity identity = registry.get(id).orElseGet(() -> registry.add(id, newKey(), newKey()));
        return identity.primaryKey();
    }

    private static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** Calls {@link Bundle#update()} once a quarter of the stream is acknowledged. */
    private static final class Updater extends Thread {
        private final Bundle bundle;
        private final CountDownLatch go;
        private final AtomicInteger acked;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile int ackedAtBegin = -1;
        volatile int ackedAtEnd = -1;
        volatile long updateMillis = -1;
        volatile boolean finished;

        Updater(Bundle bundle, CountDownLatch go, AtomicInteger acked) {
            super("itest-updater-" + bundle.getSymbolicName());
            this.bundle = bundle;
            this.go = go;
            this.acked = acked;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                if (!go.await(STREAM_MILLIS, TimeUnit.MILLISECONDS)) return;
                ackedAtBegin = acked.get();
                long start = System.nanoTime();
                bundle.update();
                updateMillis = (System.nanoTime() - start) / 1_000_000;
                ackedAtEnd = acked.get();
                finished = true;
            } catch (Throwable e) {
                failure.set(e);
                e.printStackTrace();
            }
        }

        String report() {
            return "update() began at " + ackedAtBegin + " PUBACKs, returned after " + updateMillis + " ms at "
                    + ackedAtEnd + " PUBACKs";
        }
    }
}
