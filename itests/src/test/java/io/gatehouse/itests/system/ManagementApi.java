package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The gateway's management REST API, as a monitoring system or dashboard reads it. */
final class ManagementApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ManagementApi() {
    }

    static JsonNode get(GatehouseProcess gatehouse, String pathAndQuery) throws Exception {
        return send(gatehouse, HttpRequest.newBuilder(uri(gatehouse, pathAndQuery)).GET());
    }

    /** A GET whose answer is text (e.g. {@code /metrics}). */
    static String text(GatehouseProcess gatehouse, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(gatehouse, path)).GET()
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    static JsonNode delete(GatehouseProcess gatehouse, String pathAndQuery) throws Exception {
        return send(gatehouse, HttpRequest.newBuilder(uri(gatehouse, pathAndQuery)).DELETE());
    }

    /** {@code GET /api/queues}, keyed "endpoint@priority". */
    static Map<String, JsonNode> queues(GatehouseProcess gatehouse) throws Exception {
        Map<String, JsonNode> queues = new LinkedHashMap<>();
        for (JsonNode q : get(gatehouse, "/api/queues")) {
            queues.put(OperatorCli.key(q.get("endpointId").asText(), q.get("priority").asLong()), q);
        }
        return queues;
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static URI uri(GatehouseProcess gatehouse, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + gatehouse.httpPort() + pathAndQuery);
    }

    private static JsonNode send(GatehouseProcess gatehouse, HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s: %s", r.request().uri(), r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
