package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The little the servlets share: writing an {@link ApiResponse}, reading a bounded body. */
abstract class JsonServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(JsonServlet.class);

    protected final transient ObjectMapper mapper = JsonBodies.newMapper();

    /** Runs the endpoint; an unexpected failure of a service becomes a 500 with its message, logged here. */
    protected void respond(HttpServletRequest req, HttpServletResponse resp, Supplier<ApiResponse> endpoint)
            throws IOException {
        ApiResponse answer;
        try {
            answer = endpoint.get();
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", req.getMethod(), req.getRequestURI(), e);
            answer = ApiResponse.error(500, "internal error: " + e);
        }
        write(resp, answer);
    }

    /**
     * Reads the body within {@link RequestBody#DEFAULT_LIMIT} and runs the endpoint on it; a body
     * refused on reading (413, 400) is answered {@code {"error": reason}} and reaches no endpoint.
     */
    protected void respondWithBody(HttpServletRequest req, HttpServletResponse resp,
            Function<byte[], ApiResponse> endpoint) throws IOException {
        byte[] body;
        try {
            body = body(req);
        } catch (ApiException e) {
            write(resp, ApiResponse.error(e.status(), e.reason()));
            return;
        }
        respond(req, resp, () -> endpoint.apply(body));
    }

    protected void write(HttpServletResponse resp, ApiResponse answer) throws IOException {
        resp.setStatus(answer.status());
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        // Answers can carry connection strings with keys: no cache may keep them.
        resp.setHeader("Cache-Control", "no-store");
        byte[] bytes = mapper.writeValueAsBytes(answer.body());
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    protected static byte[] body(HttpServletRequest req) throws ApiException {
        try {
            return RequestBody.read(req.getInputStream(), req.getContentLengthLong(), RequestBody.DEFAULT_LIMIT);
        } catch (IOException e) {
            throw new ApiException(400, "could not read the request body: " + e.getMessage());
        }
    }
}
