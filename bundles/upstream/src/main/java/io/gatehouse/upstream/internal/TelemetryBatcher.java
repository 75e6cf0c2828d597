package io.gatehouse.upstream.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.message.Message;

/**
 * Groups one sender's encoded telemetry into batches of at most {@code maxMessages} messages and
 * {@code maxBytes} bytes (IoT Hub's batch: one transfer of message-format {@link #BATCH_FORMAT}
 * whose body is a sequence of Data sections, each a whole encoded message). A message larger than
 * {@code maxBytes} goes alone; a batch of one goes as a plain message (format 0). Not thread-safe.
 */
final class TelemetryBatcher {
    /** Microsoft's batched message format (IoT Hub, Event Hubs), 2147563264. */
    static final int BATCH_FORMAT = 0x80013700;
    /** What a Data section adds around a message at most: descriptor (3 bytes), vbin32 code and length (5). */
    static final int SECTION_OVERHEAD = 8;

    /** Messages sent together; {@link #outcome} completes when the parent accepted them all. */
    static final class Batch {
        private final List<byte[]> messages = new ArrayList<>();
        private int bytes;
        final CompletableFuture<Void> outcome = new CompletableFuture<>();

        int size() {
            return messages.size();
        }

        int bytes() {
            return bytes;
        }

        List<byte[]> messages() {
            return messages;
        }

        int messageFormat() {
            return messages.size() == 1 ? 0 : BATCH_FORMAT;
        }

        /** The transfer's payload: the message itself when alone, else its Data sections. */
        byte[] payload() {
            return messages.size() == 1 ? messages.get(0) : encode(messages);
        }
    }

    private final int maxMessages;
    private final int maxBytes;
    private Batch open;

    TelemetryBatcher(int maxMessages, int maxBytes) {
        this.maxMessages = Math.max(1, maxMessages);
        this.maxBytes = Math.max(1, maxBytes);
    }

    /**
     * Adds a message; batches it completes (the open one it does not fit into, and its own once
     * full) go into {@code ready}, in order.
     *
     * @return the batch the message is in
     */
    Batch add(byte[] encoded, List<Batch> ready) {
        int size = encoded.length + SECTION_OVERHEAD;
        if (open != null && open.bytes + size > maxBytes) {
            ready.add(open);
            open = null;
        }
        if (open == null) open = new Batch();
        Batch b = open;
        b.messages.add(encoded);
        b.bytes += size;
        if (b.messages.size() >= maxMessages || b.bytes >= maxBytes) {
            ready.add(b);
            open = null;
        }
        return b;
    }

    /** The batch still open (to send now), or null. */
    Batch drain() {
        Batch b = open;
        open = null;
        return b;
    }

    /** The body of a batch: one Data section per encoded message, nothing else. */
    static byte[] encode(List<byte[]> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            Message section = Message.Factory.create();
            section.setBody(new Data(new Binary(m)));
            out.writeBytes(AmqpLinks.encode(section));
        }
        return out.toByteArray();
    }
}
