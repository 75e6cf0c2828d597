package io.gatehouse.management.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request body without letting a client make the gateway buffer more than a limit. */
public final class RequestBody {

    /** Big enough for any deployment manifest IoT Hub accepts (it caps a twin at 32 KiB per module). */
    public static final int DEFAULT_LIMIT = 1024 * 1024;

    private RequestBody() {
    }

    /**
     * @param declaredLength the Content-Length, or -1 when the client streams the body chunked
     * @throws ApiException 413 when the body is larger than {@code limit}, 400 when it cannot be read
     */
    public static byte[] read(InputStream in, long declaredLength, int limit) throws ApiException {
        if (declaredLength > limit) {
            throw tooLarge(limit);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(0, Math.min(declaredLength, limit)));
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (out.size() + n > limit) {
                    throw tooLarge(limit);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new ApiException(400, "could not read the request body: " + e.getMessage());
        }
        return out.toByteArray();
    }

    private static ApiException tooLarge(int limit) {
        return new ApiException(413, "request body is larger than the limit of " + limit + " bytes");
    }
}
