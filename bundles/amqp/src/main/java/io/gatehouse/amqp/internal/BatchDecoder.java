package io.gatehouse.amqp.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.AmqpSequence;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.DeliveryAnnotations;
import org.apache.qpid.proton.amqp.messaging.Footer;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.amqp.messaging.Section;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.message.Message;

/**
 * Splits a batch transfer (message-format {@code 0x80013700}, as IoT Hub and the SDKs' event
 * batches) into its messages: the body is a sequence of Data sections, each holding one complete
 * encoded AMQP message. The outer envelope's own sections (header, annotations, properties) say
 * nothing about the messages and are skipped. Confined to one thread (the connection's event loop).
 */
final class BatchDecoder {
    static final int BATCH_FORMAT = 0x80013700;

    private final DecoderImpl decoder = new DecoderImpl();

    BatchDecoder() {
        AMQPDefinedTypes.registerAllTypes(decoder, new EncoderImpl(decoder));
    }

    /**
     * @throws AmqpMessages.InvalidMessageException when the batch holds no message, a body section
     *         that is not Data, or a Data section that is not one decodable message
     */
    List<Message> decode(byte[] bytes, int length) throws AmqpMessages.InvalidMessageException {
        List<Section> outer = sections(bytes, length, "the batch");
        List<Message> messages = new ArrayList<>();
        for (Section section : outer) {
            if (section instanceof Data data) {
                Binary b = data.getValue();
                String which = "message " + (messages.size() + 1) + " of the batch";
                if (b == null || b.getLength() == 0) throw new AmqpMessages.InvalidMessageException(which + " is empty");
                messages.add(message(sections(b.getArray(), b.getArrayOffset(), b.getLength(), which), which));
            } else if (section instanceof AmqpValue || section instanceof AmqpSequence) {
                throw new AmqpMessages.InvalidMessageException("a batch's body must be Data sections, one message each; it has a "
                        + section.getClass().getSimpleName() + " section");
            }
        }
        if (messages.isEmpty()) throw new AmqpMessages.InvalidMessageException("the batch holds no message");
        return messages;
    }

    private List<Section> sections(byte[] bytes, int length, String what) throws AmqpMessages.InvalidMessageException {
        return sections(bytes, 0, length, what);
    }

    private List<Section> sections(byte[] bytes, int offset, int length, String what)
            throws AmqpMessages.InvalidMessageException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
        decoder.setByteBuffer(buffer);
        List<Section> sections = new ArrayList<>();
        try {
            while (buffer.hasRemaining()) {
                Object o = decoder.readObject();
                if (!(o instanceof Section s)) {
                    throw new AmqpMessages.InvalidMessageException(what + " is not an AMQP message: it holds a "
                            + (o == null ? "null" : o.getClass().getSimpleName()) + " where a section belongs");
                }
                sections.add(s);
            }
        } catch (RuntimeException e) {
            throw new AmqpMessages.InvalidMessageException(what + " cannot be decoded: " + e.getMessage());
        }
        return sections;
    }

    private static Message message(List<Section> sections, String what) throws AmqpMessages.InvalidMessageException {
        Header header = null;
        DeliveryAnnotations deliveryAnnotations = null;
        MessageAnnotations annotations = null;
        Properties properties = null;
        ApplicationProperties applicationProperties = null;
        Section body = null;
        Footer footer = null;
        for (Section s : sections) {
            if (s instanceof Header h) header = h;
            else if (s instanceof DeliveryAnnotations d) deliveryAnnotations = d;
            else if (s instanceof MessageAnnotations m) annotations = m;
            else if (s instanceof Properties p) properties = p;
            else if (s instanceof ApplicationProperties a) applicationProperties = a;
            else if (s instanceof Footer f) footer = f;
            else if (body == null) body = s;
            else throw new AmqpMessages.InvalidMessageException(what + " has more than one body section");
        }
        return Message.Factory.create(header, deliveryAnnotations, annotations, properties, applicationProperties, body, footer);
    }
}
