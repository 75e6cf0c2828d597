package io.gatehouse.management.internal;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One request to a servlet of this bundle and what it answered. No servlet container runs in unit
 * tests (Jetty comes with Felix HTTP at run time), so this stands in for one: it implements only
 * the calls the servlets here make, and any other call fails the test.
 */
final class ServletExchange {
    final HttpServletRequest request;
    final HttpServletResponse response;
    int status = -1;
    final Map<String, String> headers = new HashMap<>();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    /** Bytes the servlet took from the request body. */
    int bytesRead;

    /** @param declaredLength the Content-Length, -1 for a chunked body */
    ServletExchange(String method, String uri, byte[] body, long declaredLength) {
        this(method, uri, null, null, body, declaredLength);
    }

    /**
     * @param pathInfo the path after the servlet's pattern, null for none
     * @param query the raw query string (still percent-encoded), null for none
     */
    ServletExchange(String method, String uri, String pathInfo, String query, byte[] body, long declaredLength) {
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        ServletInputStream input = new ServletInputStream() {
            @Override
            public int read() {
                int b = in.read();
                if (b >= 0) bytesRead++;
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                int n = in.read(buffer, offset, length);
                if (n > 0) bytesRead += n;
                return n;
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                throw new UnsupportedOperationException();
            }
        };
        request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getRequestURI" -> uri;
                    case "getPathInfo" -> pathInfo;
                    case "getQueryString" -> query;
                    case "getRemoteAddr" -> "127.0.0.1";
                    case "getContentLengthLong" -> declaredLength;
                    case "getInputStream" -> input;
                    default -> throw new UnsupportedOperationException("request." + m.getName());
                });
        ServletOutputStream output = new ServletOutputStream() {
            @Override
            public void write(int b) {
                written.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                throw new UnsupportedOperationException();
            }
        };
        response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "setStatus" -> status = (Integer) args[0];
                        case "setContentType" -> headers.put("Content-Type", (String) args[0]);
                        case "setCharacterEncoding" -> headers.put("charset", (String) args[0]);
                        case "setHeader" -> headers.put((String) args[0], (String) args[1]);
                        case "setContentLength" -> headers.put("Content-Length", String.valueOf(args[0]));
                        case "getOutputStream" -> {
                            return output;
                        }
                        default -> throw new UnsupportedOperationException("response." + m.getName());
                    }
                    return null;
                });
    }

    String body() {
        return written.toString(StandardCharsets.UTF_8);
    }
}
