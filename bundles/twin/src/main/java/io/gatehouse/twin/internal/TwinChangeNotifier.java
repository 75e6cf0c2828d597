package io.gatehouse.twin.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.StoreException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an applied reported-properties change into a twin change notification (reference §3.2)
 * and stores it in every endpoint queue the routes pick for source {@code /twinChangeNotifications}.
 * A notification is a side effect of a patch that already succeeded: when the router or the store
 * is missing or the store refuses it, it is logged and lost, and the patch still stands.
 */
final class TwinChangeNotifier {
    static final String TWIN_CHANGE_NOTIFICATION = "twinChangeNotification";
    /** As edgeHub: the notification is the hub's own message; the twin's identity is in the properties. */
    static final String EDGE_HUB_MODULE = "$edgeHub";
    static final String HUB_NAME = "hubName";
    static final String DEVICE_ID = "deviceId";
    static final String MODULE_ID = "moduleId";
    static final String OPERATION_TYPE = "opType";
    static final String UPDATE_TWIN = "updateTwin";
    static final String MESSAGE_SCHEMA = "iothub-message-schema";
    static final String OPERATION_TIMESTAMP = "operationTimestamp";

    private static final Logger LOG = LoggerFactory.getLogger(TwinChangeNotifier.class);

    /** Who the hub is: the edge device that stamps the notifications and the hub name IoT Hub would give. */
    record Hub(String edgeDeviceId, String iotHubHostName) {
        static final Hub DEFAULT = new Hub("edge1", "gatehouse.local");

        String hubName() {
            int dot = iotHubHostName.indexOf('.');
            return dot < 0 ? iotHubHostName : iotHubHostName.substring(0, dot);
        }
    }

    private final ObjectMapper mapper;
    private final Clock clock;
    private final AtomicReference<MessageRouter> router = new AtomicReference<>();
    private final AtomicReference<MessageStore> store = new AtomicReference<>();
    private volatile Hub hub = Hub.DEFAULT;
    /** Set while notifications are being lost, so that one WARN line covers the whole episode. */
    private final AtomicReference<String> lossEpisode = new AtomicReference<>();

    TwinChangeNotifier(ObjectMapper mapper, Clock clock) {
        this.mapper = mapper;
        this.clock = clock;
    }

    void configure(Hub hub) {
        this.hub = hub;
    }

    void setRouter(MessageRouter r) {
        router.set(r);
    }

    /** A greedy reference binds the replacement before it unbinds the old one: only clear our own. */
    void unsetRouter(MessageRouter r) {
        router.compareAndSet(r, null);
    }

    void setStore(MessageStore s) {
        store.set(s);
    }

    void unsetStore(MessageStore s) {
        store.compareAndSet(s, null);
    }

    /**
     * Routes and stores the notification of a reported change that is already on disk. Never
     * throws: the caller's patch succeeded whatever happens here.
     */
    void reportedChanged(IdentityId id, ObjectNode effectivePatch, long version) {
        try {
            MessageRouter r = router.get();
            MessageStore s = store.get();
            if (r == null || s == null) {
                lost(r == null ? "no message router is available" : "no message store is available", id, version, null);
                return;
            }
            Message message = notification(id, effectivePatch, version);
            List<RouteTarget> targets = r.route(message);
            if (!targets.isEmpty()) {
                append(s, message, targets);
            }
            recovered();
        } catch (StoreException e) {
            // the store says why (quota, disk); its stack says nothing more
            lost("the message store refused it: " + e.getMessage(), id, version, null);
        } catch (RuntimeException e) {
            lost("routing or storing it failed", id, version, e);
        }
    }

    /** A store being replaced (its bundle updated) can close under an append: its successor takes it. */
    private void append(MessageStore s, Message message, List<RouteTarget> targets) throws StoreException {
        try {
            s.append(message, targets);
        } catch (StoreException e) {
            MessageStore successor = store.get();
            if (successor == null || successor == s) throw e;
            successor.append(message, targets);
        }
    }

    Message notification(IdentityId id, ObjectNode effectivePatch, long version) {
        Hub current = hub;
        ObjectNode body = mapper.createObjectNode();
        body.put("version", version);
        body.putObject("properties").set("reported", effectivePatch);
        String now = Instant.now(clock).toString();
        return Message.builder()
                .body(bytes(body))
                .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, current.edgeDeviceId())
                .systemProperty(SystemProperties.CONNECTION_MODULE_ID, EDGE_HUB_MODULE)
                .systemProperty(SystemProperties.MESSAGE_TYPE, TWIN_CHANGE_NOTIFICATION)
                .systemProperty(SystemProperties.MESSAGE_SCHEMA, TWIN_CHANGE_NOTIFICATION)
                .systemProperty(SystemProperties.CONTENT_TYPE, "application/json")
                .systemProperty(SystemProperties.CONTENT_ENCODING, "utf-8")
                .systemProperty(SystemProperties.ENQUEUED_TIME, now)
                .property(HUB_NAME, current.hubName())
                .property(DEVICE_ID, id.deviceId())
                .property(MODULE_ID, id.moduleId())
                .property(OPERATION_TYPE, UPDATE_TWIN)
                .property(MESSAGE_SCHEMA, TWIN_CHANGE_NOTIFICATION)
                .property(OPERATION_TIMESTAMP, now)
                .build();
    }

    private byte[] bytes(ObjectNode body) {
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            // a tree built from parsed JSON always serialises
            throw new IllegalStateException(e);
        }
    }

    private void lost(String reason, IdentityId id, long version, Exception cause) {
        if (lossEpisode.getAndSet(reason) == null) {
            LOG.warn("Twin change notifications are not routed: {} (first lost: {} reported version {}); "
                    + "the reported properties themselves are stored", reason, id, version, cause);
        } else {
            LOG.debug("Twin change notification of {} reported version {} lost: {}", id, version, reason, cause);
        }
    }

    private void recovered() {
        String previous = lossEpisode.getAndSet(null);
        if (previous != null) {
            LOG.info("Twin change notifications are routed again");
        }
    }
}
