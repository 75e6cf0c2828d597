package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import java.util.Set;

/** Makes the identities' channels to the parent over one protocol, and says what that protocol can carry. */
interface ParentTransport {

    ParentChannel channel(IdentityId identity, Set<ParentChannel.Feature> features, ParentChannel.Listener listener);

    /** Messages the deliverer keeps in flight at once, across all senders. */
    int window();

    /** Whether the channels receive the parent's cloud-to-device messages for leaves ({@link ParentChannel#receiveCloudToDevice}). */
    boolean relaysCloudToDevice();

    /** Why this protocol can never carry {@code m} to the parent, or null when it can. */
    String invalidReason(Message m);

    /** Ends what the channels share (the AMQP connection); called after every channel was closed. */
    void close();
}
