package io.gatehouse.upstream.internal;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Modified;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;

/**
 * The parent's outcome of each telemetry transfer (one message or one batch): Accepted means
 * stored at the parent and completes the batch; anything else fails it, and its messages go again.
 */
final class TelemetryOutcomes implements AmqpLinkHandler {
    private final Consumer<String> lost;

    TelemetryOutcomes(Consumer<String> lost) {
        this.lost = lost;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void delivery(Delivery d) {
        DeliveryState state = d.getRemoteState();
        if (state == null && !d.remotelySettled()) return;
        if (d.getContext() instanceof CompletableFuture<?> f) {
            CompletableFuture<Void> outcome = (CompletableFuture<Void>) f;
            if (state instanceof Accepted) {
                outcome.complete(null);
            } else if (state instanceof Rejected r) {
                outcome.completeExceptionally(new UpstreamException("the parent rejected the transfer: "
                        + AmqpLinkHandler.describe(r.getError())));
            } else if (state instanceof Released || state instanceof Modified) {
                outcome.completeExceptionally(new UpstreamException("the parent released the transfer"));
            } else {
                outcome.completeExceptionally(new UpstreamException("the parent settled the transfer without an "
                        + "outcome"));
            }
        }
        d.settle();
    }

    @Override
    public void remoteClosed(Link link, ErrorCondition condition) {
        lost.accept("the telemetry link was detached: " + AmqpLinkHandler.describe(condition));
    }
}
