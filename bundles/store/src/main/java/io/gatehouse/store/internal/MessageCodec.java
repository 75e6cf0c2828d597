package io.gatehouse.store.internal;

import io.gatehouse.api.message.Message;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The binary form of a message in a queue: system properties, application properties, body.
 * Counts and lengths are unsigned varints, strings UTF-8. Encoded once per append, whatever the
 * number of target queues.
 */
final class MessageCodec {

    private MessageCodec() {
    }

    static byte[] encode(Message message) {
        Writer out = encode(message, new byte[256 + message.body().length]);
        return out.buffer.length == out.position ? out.buffer : Arrays.copyOf(out.buffer, out.position);
    }

    /**
     * Encodes into {@code scratch} from its start, or into a larger array when it does not fit;
     * the writer returned holds the array used and the length written. Lets the append path
     * reuse one buffer per thread instead of allocating one per message.
     */
    static Writer encode(Message message, byte[] scratch) {
        Writer out = new Writer(scratch);
        Map<String, String> system = message.systemProperties();
        out.varint(system.size());
        system.forEach(out); // forEach: no entry wrappers, unlike iterating an unmodifiable map's entries
        Map<String, String> application = message.properties();
        out.varint(application.size());
        application.forEach(out);
        byte[] body = message.body();
        out.varint(body.length);
        out.bytes(body);
        return out;
    }

    /** Decodes what {@link #encode} wrote; a record that does not parse exactly is refused. */
    static Message decode(byte[] data) {
        Reader in = new Reader(data);
        Message.Builder builder = Message.builder();
        int systemCount = in.count();
        for (int i = 0; i < systemCount; i++) builder.systemProperty(in.string(), in.string());
        int applicationCount = in.count();
        for (int i = 0; i < applicationCount; i++) builder.property(in.string(), in.string());
        builder.body(in.bytes(in.count()));
        if (in.position != data.length) throw new CorruptRecordException("trailing bytes after the body");
        return builder.build();
    }

    /** A record that cannot be read back; it is skipped, never handed out. */
    static final class CorruptRecordException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CorruptRecordException(String message) {
            super(message);
        }
    }

    /** Writes an encoding into a byte array, growing it as needed. */
    static final class Writer implements BiConsumer<String, String> {
        byte[] buffer;
        int position;

        Writer(byte[] buffer) {
            this.buffer = buffer;
        }

        /** A property: key and value, each as varint length and UTF-8. */
        @Override
        public void accept(String key, String value) {
            string(key);
            string(value);
        }

        void string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            varint(utf8.length);
            bytes(utf8);
        }

        void varint(int value) {
            room(5);
            while ((value & ~0x7F) != 0) {
                buffer[position++] = (byte) ((value & 0x7F) | 0x80);
                value >>>= 7;
            }
            buffer[position++] = (byte) value;
        }

        void bytes(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, buffer, position, b.length);
            position += b.length;
        }

        private void room(int more) {
            if (buffer.length - position < more) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + more));
            }
        }
    }

    private static final class Reader {
        final byte[] data;
        int position;

        Reader(byte[] data) {
            this.data = data;
        }

        int count() {
            int value = 0;
            for (int shift = 0; shift < 32; shift += 7) {
                if (position >= data.length) throw new CorruptRecordException("record ends inside a length");
                int b = data[position++] & 0xFF;
                value |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (value < 0 || value > data.length - position) {
                        throw new CorruptRecordException("length " + value + " runs past the record");
                    }
                    return value;
                }
            }
            throw new CorruptRecordException("length longer than 5 bytes");
        }

        String string() {
            int length = count();
            String s = new String(data, position, length, StandardCharsets.UTF_8);
            position += length;
            return s;
        }

        byte[] bytes(int length) {
            byte[] b = new byte[length];
            System.arraycopy(data, position, b, 0, length);
            position += length;
            return b;
        }
    }
}
