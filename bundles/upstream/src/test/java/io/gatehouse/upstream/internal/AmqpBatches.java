package io.gatehouse.upstream.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.codec.ReadableBuffer;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.message.Message;

/** Reads a transfer as the parent does: a batch (its Data sections, each a message) or one message. */
final class AmqpBatches {
    private AmqpBatches() {
    }

    static List<Message> decode(byte[] payload, int messageFormat) {
        if (messageFormat != TelemetryBatcher.BATCH_FORMAT) return List.of(AmqpLinks.decode(payload));
        DecoderImpl decoder = new DecoderImpl();
        AMQPDefinedTypes.registerAllTypes(decoder, new EncoderImpl(decoder));
        ReadableBuffer buffer = ReadableBuffer.ByteBufferReader.wrap(payload);
        decoder.setBuffer(buffer);
        List<Message> out = new ArrayList<>();
        while (buffer.hasRemaining()) {
            Object section = decoder.readObject();
            if (!(section instanceof Data data)) {
                throw new IllegalArgumentException("a batch section is a " + section.getClass().getSimpleName());
            }
            out.add(AmqpLinks.decode(AmqpLinks.bytes(data.getValue())));
        }
        return out;
    }
}
