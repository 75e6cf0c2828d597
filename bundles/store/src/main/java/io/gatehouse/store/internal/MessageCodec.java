package io.gatehouse.store.internal;

import io.gatehouse.api.message.Message;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The binary form of a message in a queue: system properties, application properties, body.
 * Counts and lengths are unsigned varints, strings UTF-8. Encoded once per append, whatever the
 * number of target queues.
 */
final class MessageCodec {

    private MessageCodec() {
    }

    static byte[] encode(Message message) {
        byte[][] system = utf8Pairs(message.systemProperties());
        byte[][] application = utf8Pairs(message.properties());
        byte[] body = message.body();
        int size = sizeOfPairs(system) + sizeOfPairs(application) + varintSize(body.length) + body.length;
        Writer out = new Writer(new byte[size]);
        out.pairs(system);
        out.pairs(application);
        out.varint(body.length);
        out.bytes(body);
        return out.buffer;
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

    private static byte[][] utf8Pairs(Map<String, String> map) {
        byte[][] pairs = new byte[map.size() * 2][];
        int i = 0;
        for (Map.Entry<String, String> e : map.entrySet()) {
            pairs[i++] = e.getKey().getBytes(StandardCharsets.UTF_8);
            pairs[i++] = e.getValue().getBytes(StandardCharsets.UTF_8);
        }
        return pairs;
    }

    private static int sizeOfPairs(byte[][] pairs) {
        int size = varintSize(pairs.length / 2);
        for (byte[] p : pairs) size += varintSize(p.length) + p.length;
        return size;
    }

    private static int varintSize(int value) {
        int size = 1;
        while ((value >>>= 7) != 0) size++;
        return size;
    }

    /** A record that cannot be read back; it is skipped, never handed out. */
    static final class CorruptRecordException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CorruptRecordException(String message) {
            super(message);
        }
    }

    private static final class Writer {
        final byte[] buffer;
        int position;

        Writer(byte[] buffer) {
            this.buffer = buffer;
        }

        void pairs(byte[][] pairs) {
            varint(pairs.length / 2);
            for (byte[] p : pairs) {
                varint(p.length);
                bytes(p);
            }
        }

        void varint(int value) {
            while ((value & ~0x7F) != 0) {
                buffer[position++] = (byte) ((value & 0x7F) | 0x80);
                value >>>= 7;
            }
            buffer[position++] = (byte) value;
        }

        void bytes(byte[] b) {
            System.arraycopy(b, 0, buffer, position, b.length);
            position += b.length;
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
