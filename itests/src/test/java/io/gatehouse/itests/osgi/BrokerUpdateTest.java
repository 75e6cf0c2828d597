package io.gatehouse.itests.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * Invariant 6 for the protocol head: updating the broker bundle drops client connections (they
 * reconnect), but every message the hub acknowledged before is still delivered afterwards.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BrokerUpdateTest extends GatehouseTestSupport {
    private static final int MESSAGES = 300;
    private static final IdentityId DEVICE = IdentityId.device("dev-broker-update");
    private static final IdentityId MODULE = IdentityId.module(GatehouseFramework.EDGE_DEVICE_ID, "keeper");

    @Test
    public void updatingTheBrokerLosesNoStoredMessage() throws Exception {
        int port = intProperty(GatehouseFramework.MQTT_PORT);
        String host = context.getProperty(GatehouseFramework.IOTHUB_HOSTNAME);
        IdentityRegistry registry = service(IdentityRegistry.class);
        String deviceKey = registry.add(DEVICE, null, null).primaryKey();
        String moduleKey = registry.add(MODULE, null, null).primaryKey();
        service(EdgeHubConfigurator.class).apply("{\"schemaVersion\":\"1.1\",\"routes\":{\"keep\":\"FROM /messages/* WHERE "
                + "$connectionDeviceId = '" + DEVICE.deviceId() + "' INTO BrokeredEndpoint(\\\"/modules/keeper/inputs/in\\\")\"},"
                + "\"storeAndForwardConfiguration\":{\"timeToLiveSecs\":7200}}");

        // the module is away: every acknowledged message waits in the store
        try (HubMqttClient device = HubMqttClient.connect(port, host, DEVICE, deviceKey, 50)) {
            for (int i = 0; i < MESSAGES; i++) {
                MqttMessage m = new MqttMessage(("kept-" + i).getBytes(StandardCharsets.UTF_8));
                m.setQos(1);
                device.paho().publish("devices/" + DEVICE.deviceId() + "/messages/events/", m).waitForCompletion(15_000);
            }
            Bundle broker = bundle("io.gatehouse.broker");
            broker.update();
            assertEquals(Bundle.ACTIVE, broker.getState());
            awaitNoProblem(SETTLE_MILLIS, () -> device.connectionLost() == null
                    ? "the device kept its connection through a broker update" : null);
        }

        awaitNoProblem(SETTLE_MILLIS, () -> listening(port) ? null : "MQTT port " + port + " not listening again");
        Set<String> received = ConcurrentHashMap.newKeySet();
        try (HubMqttClient module = HubMqttClient.connect(port, host, MODULE, moduleKey, 50)) {
            module.onMessage((topic, message) -> received.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
            module.subscribe("devices/" + MODULE.deviceId() + "/modules/" + MODULE.moduleId() + "/inputs/#", 1);
            awaitNoProblem(SETTLE_MILLIS, () -> received.size() >= MESSAGES ? null : received.size() + " of " + MESSAGES + " delivered");
        }
        Set<String> missing = new TreeSet<>();
        for (int i = 0; i < MESSAGES; i++) {
            if (!received.contains("kept-" + i)) missing.add("kept-" + i);
        }
        assertTrue("lost across the broker update: " + missing, missing.isEmpty());
        assertNotNull(service(EdgeHubConfigurator.class).current());
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

}
