package io.gatehouse.upstream.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A Paho client on Mosquitto playing the parent's side of the protocol: it records telemetry,
 * answers scope requests and twin GETs, records reported patches. Mosquitto cannot say which
 * connection published a twin GET, so GETs are answered in the order the upstream makes them:
 * {@code $edgeAgent} then {@code $edgeHub}, one pair per deployment sync, the second with the next
 * {@code $rid} (one thread makes all of an upstream's requests).
 */
final class Parent implements AutoCloseable {
    record Received(String topic, String payload) {
    }

    final List<Received> telemetry = new CopyOnWriteArrayList<>();
    /** Answers to the method calls it made: {@code $iothub/methods/res/{status}/?$rid=…} and body. */
    final List<Received> methodAnswers = new CopyOnWriteArrayList<>();
    final List<String> reportedPatches = new CopyOnWriteArrayList<>();
    final AtomicInteger twinGets = new AtomicInteger();
    final AtomicInteger scopeRequests = new AtomicInteger();
    volatile String agentTwin = "{\"desired\":{\"$version\":1},\"reported\":{\"$version\":1}}";
    volatile String hubTwin = "{\"desired\":{\"$version\":1},\"reported\":{\"$version\":1}}";
    /** When set, every twin GET is answered with it (Mosquitto cannot tell whose GET it is). */
    volatile String everyTwin;
    volatile int scopeStatus = 200;
    volatile String scopeBody = "{\"identities\":[]}";
    volatile int reportedStatus = 204;
    volatile String reportedAnswer = "";
    private final MqttClient client;
    private boolean lastGetWasAgent; // callback thread only
    private long lastGetRid;
    private final ExecutorService answers = Executors.newSingleThreadExecutor();

    private Parent(String uri, String clientId) throws MqttException {
        client = new MqttClient(uri, clientId, new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                onMessage(topic, new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setAutomaticReconnect(true);
        o.setMaxReconnectDelay(500);
        o.setMaxInflight(200);
        client.connect(o);
        client.subscribe(new String[] {"devices/#", "$iothub/twin/GET/#", "$iothub/twin/PATCH/properties/reported/#",
            "$gatehouse/scope/GET/#", "$iothub/methods/res/#"}, new int[] {1, 1, 1, 1, 1});
    }

    static Parent connect(String uri) throws MqttException {
        return new Parent(uri, "parent-double");
    }

    static Parent connect(String uri, String clientId) throws MqttException {
        return new Parent(uri, clientId);
    }

    boolean isConnected() {
        return client.isConnected();
    }

    private void onMessage(String topic, String payload) {
        String rid = Requests.query(topic, "$rid");
        if (topic.startsWith("devices/")) {
            telemetry.add(new Received(topic, payload));
        } else if (topic.startsWith("$gatehouse/scope/GET/")) {
            scopeRequests.incrementAndGet();
            answer("$gatehouse/scope/res/" + scopeStatus + "/?$rid=" + rid, scopeBody);
        } else if (topic.startsWith("$iothub/twin/GET/")) {
            twinGets.incrementAndGet();
            long r = Long.parseLong(rid);
            boolean hub = lastGetWasAgent && r == lastGetRid + 1;
            lastGetWasAgent = !hub;
            lastGetRid = r;
            String every = everyTwin;
            answer("$iothub/twin/res/200/?$rid=" + rid, every != null ? every : hub ? hubTwin : agentTwin);
        } else if (topic.startsWith("$iothub/methods/res/")) {
            methodAnswers.add(new Received(topic, payload));
        } else if (topic.startsWith("$iothub/twin/PATCH/properties/reported/")) {
            reportedPatches.add(payload);
            answer("$iothub/twin/res/" + reportedStatus + "/?$rid=" + rid + "&$version=" + (reportedPatches.size() + 1),
                    reportedAnswer);
        }
    }

    /** Off Paho's callback thread, where a blocking publish must not wait. */
    private void answer(String topic, String body) {
        answers.execute(() -> {
            try {
                client.publish(topic, body.getBytes(StandardCharsets.UTF_8), 1, false);
            } catch (MqttException e) {
                throw new IllegalStateException("the parent double could not answer on " + topic, e);
            }
        });
    }

    /** Sends a desired-properties patch to whoever listens for one. */
    void desiredPatch(int version, String patch) {
        answer("$iothub/twin/PATCH/properties/desired/?$version=" + version, patch);
    }

    /** Publishes at QoS 1, as the parent sends a cloud-to-device message. */
    void publish(String topic, String payload) {
        answer(topic, payload);
    }

    /** Calls a direct method on whoever is subscribed to method calls. */
    void callMethod(String name, String rid, String payload) {
        answer("$iothub/methods/POST/" + name + "/?$rid=" + rid, payload);
    }

    /** The answers to call {@code rid}. */
    List<Received> methodAnswers(String rid) {
        return methodAnswers.stream().filter(r -> rid.equals(Requests.query(r.topic, "$rid"))).toList();
    }

    /** Telemetry whose topic starts with {@code prefix}, in arrival order. */
    List<Received> telemetry(String prefix) {
        return telemetry.stream().filter(r -> r.topic.startsWith(prefix)).toList();
    }

    @Override
    public void close() throws MqttException {
        answers.shutdownNow();
        if (client.isConnected()) client.disconnect();
        client.close();
    }
}
