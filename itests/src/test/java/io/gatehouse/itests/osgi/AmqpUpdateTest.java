package io.gatehouse.itests.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.StoredMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.engine.Delivery;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Invariant 6 for the AMQP head: a device streams telemetry over AMQP, routed to a module input
 * nobody reads, while the amqp bundle is updated. The update may drop the connection (the device
 * reconnects and sends again what was not settled), but every message the hub accepted is in the
 * endpoint queue, at least once, in the device's order.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AmqpUpdateTest extends GatehouseTestSupport {
    private static final int MESSAGES = 1000;
    /** Transfers unsettled at once: enough that the update catches some in flight. */
    private static final int WINDOW = 50;
    private static final long STREAM_MILLIS = 120_000;
    private static final String AMQP_PID = "io.gatehouse.amqp";
    private static final String AMQP_BUNDLE = "io.gatehouse.amqp";

    private static final IdentityId DEVICE = IdentityId.device("dev-amqp-update");
    private static final String ENDPOINT = EndpointIds.moduleInput(GatehouseFramework.EDGE_DEVICE_ID, "amqpkeeper", "in");

    @Test
    public void updatingTheAmqpHeadLosesNoAcceptedMessage() throws Exception {
        String host = context.getProperty(GatehouseFramework.IOTHUB_HOSTNAME);
        String key = service(IdentityRegistry.class).add(DEVICE, null, null).primaryKey();
        service(EdgeHubConfigurator.class).apply("{\"schemaVersion\":\"1.1\",\"routes\":{\"keep\":\"FROM /messages/* WHERE "
                + "$connectionDeviceId = '" + DEVICE.deviceId() + "' INTO BrokeredEndpoint(\\\"/modules/amqpkeeper/inputs/in\\\")\"},"
                + "\"storeAndForwardConfiguration\":{\"timeToLiveSecs\":7200}}");
        int port = plainAmqpOnLoopback();

        Bundle amqp = bundle(AMQP_BUNDLE);
        long lastModifiedBefore = amqp.getLastModified();
        String run = "amqp-" + System.nanoTime() + "-";
        Stream stream = new Stream(port, host, key, run);
        Updater updater = new Updater(amqp, stream.quarterAccepted, stream.acceptedCount);
        updater.start();
        try {
            stream.run(updater);
        } finally {
            // the framework must not be torn down while the bundle is still being swapped
            if (stream.quarterAccepted.getCount() > 0) updater.interrupt();
            updater.join(STREAM_MILLIS);
        }

        assertNull("Bundle.update() of " + AMQP_BUNDLE + " failed", updater.failure.get());
        assertTrue("the update never ran: " + updater.report(), updater.finished);
        assertTrue("the bundle was not updated (same last-modified time)", amqp.getLastModified() > lastModifiedBefore);
        assertEquals(AMQP_BUNDLE + " is not active after the update", Bundle.ACTIVE, amqp.getState());
        assertTrue("the update did not begin mid-stream: " + updater.report(), updater.acceptedAtBegin < MESSAGES * 3 / 4);
        assertTrue("no message was accepted by the updated head (" + stream.report() + ")", stream.acceptedAfterUpdate > 0);

        List<Integer> stored = storedSequence(run);
        Set<Integer> distinct = new HashSet<>(stored);
        TreeSet<Integer> missing = new TreeSet<>(stream.accepted);
        missing.removeAll(distinct);
        System.out.printf("[itest] amqp updated mid-stream: %s; %s; the queue holds %d of this run, %d distinct%n",
                updater.report(), stream.report(), stored.size(), distinct.size());

        assertTrue(missing.size() + " of " + stream.accepted.size() + " accepted messages are not in " + ENDPOINT
                + ", first: " + missing.stream().limit(20).toList(), missing.isEmpty());
        assertEquals("every message was accepted", MESSAGES, stream.accepted.size());
        assertInDeviceOrder(stored, stream.accepted);
    }

    /** The plain AMQP listener (the harness turns it off) on a free loopback port, set as an operator would. */
    private int plainAmqpOnLoopback() throws Exception {
        ConfigurationAdmin admin = service(ConfigurationAdmin.class);
        // FileInstall feeds etc/io.gatehouse.amqp.cfg; wait for it, or it would overwrite what is set here
        awaitNoProblem(SETTLE_MILLIS, () -> fromFileInstall(admin) != null ? null : "no configuration " + AMQP_PID + " yet");
        Configuration config = fromFileInstall(admin);
        Dictionary<String, Object> properties = config.getProperties();
        int port = freePort();
        properties.put("port", port);
        properties.put("host", "127.0.0.1");
        properties.put("tlsPort", -1);
        config.update(properties);
        awaitNoProblem(SETTLE_MILLIS, () -> listening(port) ? null : "plain AMQP port " + port + " is not listening");
        return port;
    }

    private static Configuration fromFileInstall(ConfigurationAdmin admin) {
        try {
            Configuration[] found = admin.listConfigurations("(service.pid=" + AMQP_PID + ")");
            if (found == null || found.length == 0) return null;
            Dictionary<String, Object> properties = found[0].getProperties();
            return properties != null && properties.get("tlsPort") != null ? found[0] : null;
        } catch (Exception e) {
            throw new AssertionError("listing configurations failed", e);
        }
    }

    /** The sequence numbers of this run's messages in the endpoint queue, in queue order. */
    private List<Integer> storedSequence(String run) {
        List<Integer> sequence = new ArrayList<>();
        Map<String, String> wrongSenders = new LinkedHashMap<>();
        try (QueueConsumer queue = service(MessageStore.class).consume(ENDPOINT)) {
            StoredMessage stored;
            while ((stored = queue.poll()) != null) {
                Message m = stored.message();
                String body = new String(m.body(), StandardCharsets.UTF_8);
                if (!body.startsWith(run)) continue;
                String sender = m.systemProperty(SystemProperties.CONNECTION_DEVICE_ID);
                if (!DEVICE.deviceId().equals(sender)) wrongSenders.put(body, sender);
                sequence.add(Integer.parseInt(body.substring(run.length())));
            }
        }
        assertTrue("messages stamped with another identity: " + wrongSenders, wrongSenders.isEmpty());
        return sequence;
    }

    /**
     * A message sent again after a reconnect is a duplicate the store may hold, but the first
     * time each accepted message appears in the queue must follow the order the device sent them.
     */
    private static void assertInDeviceOrder(List<Integer> stored, Set<Integer> accepted) {
        Set<Integer> seen = new HashSet<>();
        int last = -1;
        for (int i = 0; i < stored.size(); i++) {
            int seq = stored.get(i);
            if (!accepted.contains(seq) || !seen.add(seq)) continue;
            if (seq < last) {
                fail("message " + seq + " is stored after " + last + " (queue positions around " + i + ": "
                        + stored.subList(Math.max(0, i - 5), Math.min(stored.size(), i + 5)) + ")");
            }
            last = seq;
        }
    }

    /**
     * The device: keeps {@link #WINDOW} transfers unsettled, reconnects when the hub drops it and
     * sends again, lowest first and before anything new, every message that was not accepted.
     */
    private static final class Stream {
        private final int port;
        private final String host;
        private final String key;
        private final String run;
        final CountDownLatch quarterAccepted = new CountDownLatch(1);
        final AtomicInteger acceptedCount = new AtomicInteger();
        final Set<Integer> accepted = new TreeSet<>();
        private final TreeSet<Integer> toResend = new TreeSet<>();
        private final Map<Delivery, Integer> inFlight = new LinkedHashMap<>();
        private final Map<String, Integer> otherOutcomes = new HashMap<>();
        int reconnects;
        int resent;
        /**
         * Accepted and last sent after update() returned, when only the new bundle's head was left
         * to accept them.
         */
        int acceptedAfterUpdate;
        private final Set<Integer> sentAfterUpdate = new HashSet<>();
        private int next;

        Stream(int port, String host, String key, String run) {
            this.port = port;
            this.host = host;
            this.key = key;
            this.run = run;
        }

        void run(Updater updater) {
            long deadline = System.currentTimeMillis() + STREAM_MILLIS;
            AmqpTestClient client = null;
            try {
                while (accepted.size() < MESSAGES) {
                    if (System.currentTimeMillis() > deadline) {
                        fail("not every message accepted within " + STREAM_MILLIS + " ms: " + report() + "; " + updater.report());
                    }
                    if (client == null || client.broken()) {
                        if (client != null) {
                            client.close();
                            reconnects++;
                        }
                        giveBackInFlight();
                        client = connect(deadline, updater);
                    }
                    while (inFlight.size() < WINDOW && (!toResend.isEmpty() || mayTakeNew(updater))) {
                        int seq = toResend.isEmpty() ? next++ : toResend.pollFirst();
                        if (updater.finished) sentAfterUpdate.add(seq);
                        else sentAfterUpdate.remove(seq);
                        inFlight.put(client.send(run + seq, run + seq), seq);
                    }
                    client.pump();
                    settle(updater);
                }
            } finally {
                if (client != null) client.close();
            }
        }

        /** The last quarter waits for the update to end, so that the new head has to take it. */
        private boolean mayTakeNew(Updater updater) {
            return next < MESSAGES && (next < MESSAGES * 3 / 4 || updater.finished || updater.failure.get() != null);
        }

        /** Outcomes arrive in the order the hub stored the transfers; only the settled ones leave the window. */
        private void settle(Updater updater) {
            var it = inFlight.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Delivery, Integer> e = it.next();
                DeliveryState state = e.getKey().getRemoteState();
                if (state == null) continue;
                e.getKey().settle();
                it.remove();
                if (state instanceof Accepted) {
                    if (accepted.add(e.getValue())) {
                        if (sentAfterUpdate.contains(e.getValue())) acceptedAfterUpdate++;
                        if (acceptedCount.incrementAndGet() == MESSAGES / 4) quarterAccepted.countDown();
                    }
                } else {
                    // rejected (say, the head shutting down) or released: not stored, so sent again
                    otherOutcomes.merge(state.getType().toString(), 1, Integer::sum);
                    toResend.add(e.getValue());
                    resent++;
                }
            }
        }

        private void giveBackInFlight() {
            for (int seq : inFlight.values()) {
                if (!accepted.contains(seq) && toResend.add(seq)) resent++;
            }
            inFlight.clear();
        }

        /** Connects again and again until the (maybe new) head takes the device. */
        private AmqpTestClient connect(long deadline, Updater updater) {
            IOException last = null;
            while (System.currentTimeMillis() < deadline) {
                try {
                    String token = HubMqttClient.sasToken(host, DEVICE, key, 3600);
                    return AmqpTestClient.connect(port, host, DEVICE, token);
                } catch (IOException e) {
                    last = e;
                    sleep(100);
                }
            }
            throw new AssertionError("could not connect over AMQP again (" + report() + "; " + updater.report() + ")", last);
        }

        String report() {
            return acceptedCount.get() + " accepted (" + acceptedAfterUpdate + " after the update), " + reconnects
                    + " reconnects, " + resent + " sent again, other outcomes " + otherOutcomes;
        }
    }

    /** Calls {@link Bundle#update()} once a quarter of the stream is accepted. */
    private static final class Updater extends Thread {
        private final Bundle bundle;
        private final CountDownLatch go;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile int acceptedAtBegin = -1;
        volatile long updateMillis = -1;
        volatile boolean finished;
        private final AtomicInteger accepted;

        Updater(Bundle bundle, CountDownLatch go, AtomicInteger accepted) {
            super("itest-updater-" + bundle.getSymbolicName());
            this.bundle = bundle;
            this.go = go;
            this.accepted = accepted;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                if (!go.await(STREAM_MILLIS, TimeUnit.MILLISECONDS)) return;
                acceptedAtBegin = accepted.get();
                long start = System.nanoTime();
                bundle.update();
                updateMillis = (System.nanoTime() - start) / 1_000_000;
                finished = true;
            } catch (Throwable e) {
                failure.set(e);
                e.printStackTrace();
            }
        }

        String report() {
            return "update() began at " + acceptedAtBegin + " accepted and took " + updateMillis + " ms";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
