package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import java.util.Map;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.engine.Link;

/**
 * Pairs the two links of a twin or methods channel: the SDKs attach a sender and a receiver with
 * the same address and the same link property {@code com.microsoft:channel-correlation-id}
 * ({@code twin:{uuid}}, {@code methods:{uuid}}). Links without it pair by identity alone.
 */
record ChannelKey(IdentityId identity, String channelId) {
    static final Symbol CHANNEL_CORRELATION_ID = Symbol.valueOf("com.microsoft:channel-correlation-id");

    static ChannelKey of(Link link, IdentityId identity) {
        Map<Symbol, Object> properties = link.getRemoteProperties();
        Object id = properties == null ? null : properties.get(CHANNEL_CORRELATION_ID);
        return new ChannelKey(identity, id == null ? "" : id.toString());
    }
}
