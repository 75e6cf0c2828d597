package io.gatehouse.headsupport.ingest;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.headsupport.services.ServiceSlot;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one message and appends it to every queue it routes to, waiting (up to the service
 * wait) for a router or store that is being replaced. When it returns the message is durable
 * (invariant 1) or routes nowhere; a head acknowledges its sender only then.
 */
public final class RoutedAppend {
    private static final Logger LOG = LoggerFactory.getLogger(RoutedAppend.class);

    private final ServiceSlot<MessageRouter> router;
    private final ServiceSlot<MessageStore> store;
    private final long serviceWaitMillis;

    public RoutedAppend(ServiceSlot<MessageRouter> router, ServiceSlot<MessageStore> store, long serviceWaitMillis) {
        this.router = router;
        this.store = store;
        this.serviceWaitMillis = serviceWaitMillis;
    }

    /**
     * @throws ServiceUnavailableException no router or no store within the service wait
     * @throws StoreException the store in service could not make it durable
     */
    public void routeAndAppend(Message message) throws StoreException, InterruptedException {
        MessageRouter r = router.await(serviceWaitMillis);
        if (r == null) throw new ServiceUnavailableException("no router available for " + serviceWaitMillis + " ms");
        List<RouteTarget> targets = r.route(message);
        if (targets.isEmpty()) {
            // as in IoT Edge: acknowledged and dropped; the router counts it (reason no_route)
            LOG.debug("No route matches a message from {}; dropped (no_route)",
                    message.systemProperty(SystemProperties.CONNECTION_DEVICE_ID));
            return;
        }
        appendToCurrentStore(message, targets);
    }

    /**
     * Appends to the store in service. A store being replaced (its bundle updated) can close under
     * an append in progress; the message then goes to its successor, so the update costs the
     * sender a delay, never its connection.
     */
    private void appendToCurrentStore(Message message, List<RouteTarget> targets) throws StoreException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(serviceWaitMillis);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            MessageStore s = left > 0 ? store.await(left) : null;
            if (s == null) throw new ServiceUnavailableException("no store available for " + serviceWaitMillis + " ms");
            try {
                s.append(message, targets);
                return;
            } catch (StoreException e) {
                if (store.get() == s) throw e; // the store in service failed: a real storage failure
                LOG.debug("Store replaced during an append; appending to its successor");
            }
        }
    }
}
