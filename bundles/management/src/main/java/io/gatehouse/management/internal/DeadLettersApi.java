package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.StoreException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/deadletters?endpoint=<id>}: list (GET), purge (DELETE) and requeue
 * ({@code POST /api/deadletters/requeue}) the messages an endpoint refused as invalid. The endpoint
 * id is a query parameter because ids hold {@code /} and {@code $}. The store may be null while its
 * bundle is away: 503. A {@link StoreException} is a 507 with the store's reason.
 */
public final class DeadLettersApi {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLettersApi.class);

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** Status for a store that could not purge or requeue: it failed to write (disk, quota), not to be there. */
    static final int STORE_FAILED = 507;
    /**
     * Body bytes one answer carries at most (the first dead letter always goes in). Bodies can be
     * 256 KiB each: a thousand of them, base64-encoded in a JSON tree, would not fit the gateway's heap.
     */
    static final long ANSWER_BODY_BUDGET = 8L * 1024 * 1024;

    private static final List<String> LIST_PARAMETERS = List.of("endpoint", "limit");
    private static final List<String> ENDPOINT_ONLY = List.of("endpoint");
    private static final String REQUEUE_PATH = "/requeue";

    private final MessageStore store;
    private final ObjectMapper mapper;

    public DeadLettersApi(MessageStore store, ObjectMapper mapper) {
        this.store = store;
        this.mapper = mapper;
    }

    /** GET: the collection lists; {@code /requeue} is POST only. */
    public ApiResponse get(String path, String query) {
        if (REQUEUE_PATH.equals(path)) {
            return ApiResponse.error(405, "requeue with POST /api/deadletters/requeue?endpoint=<endpointId>");
        }
        if (!isCollection(path)) return noSuchResource();
        try {
            QueryParameters parameters = QueryParameters.parse(query, LIST_PARAMETERS);
            return list(endpoint(parameters), limit(parameters));
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        }
    }

    /** DELETE on the collection: purge. */
    public ApiResponse delete(String path, String query) {
        if (REQUEUE_PATH.equals(path)) {
            return ApiResponse.error(405, "purge with DELETE /api/deadletters?endpoint=<endpointId>");
        }
        if (!isCollection(path)) return noSuchResource();
        return onEndpoint(query, "purge", "purged", MessageStore::purgeDeadLetters);
    }

    /** POST on {@code /requeue}: requeue. */
    public ApiResponse post(String path, String query) {
        if (isCollection(path)) {
            return ApiResponse.error(405, "requeue with POST /api/deadletters/requeue?endpoint=<endpointId>;"
                    + " purge with DELETE /api/deadletters?endpoint=<endpointId>");
        }
        if (!REQUEUE_PATH.equals(path)) return noSuchResource();
        return onEndpoint(query, "requeue", "requeued", MessageStore::requeueDeadLetters);
    }

    /** What purge and requeue do to the dead letters of one endpoint: returns how many it handled. */
    @FunctionalInterface
    private interface StoreAction {
        long apply(MessageStore store, String endpointId) throws StoreException;
    }

    private ApiResponse onEndpoint(String query, String verb, String field, StoreAction action) {
        String endpoint;
        try {
            endpoint = endpoint(QueryParameters.parse(query, ENDPOINT_ONLY));
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        }
        if (store == null) return unavailable();
        long count;
        try {
            count = action.apply(store, endpoint);
        } catch (StoreException e) {
            return storeFailed(verb, endpoint, e);
        }
        LOG.info("{} {} dead letters of {}", Character.toUpperCase(field.charAt(0)) + field.substring(1), count, endpoint);
        return ApiResponse.ok(mapper.createObjectNode().put("endpointId", endpoint).put(field, count));
    }

    private ApiResponse list(String endpoint, int limit) {
        if (store == null) return unavailable();
        DeadLetterPage page = DeadLetterPage.read(store, endpoint, limit, ANSWER_BODY_BUDGET);
        ArrayNode array = mapper.createArrayNode();
        page.letters().forEach(letter -> array.add(node(letter)));
        ObjectNode answer = mapper.createObjectNode();
        answer.put("endpointId", endpoint);
        answer.set("deadLetters", array);
        answer.put("more", page.more());
        return ApiResponse.ok(answer);
    }

    private ObjectNode node(DeadLetter letter) {
        Message message = letter.message();
        ObjectNode node = mapper.createObjectNode();
        node.put("sequence", letter.sequence());
        node.put("priority", letter.priority());
        node.put("deadLetteredAt", Instant.ofEpochMilli(letter.deadLetteredAtMillis()).toString());
        node.put("reason", letter.reason());
        node.put("size", message.body().length);
        node.set("systemProperties", strings(message.systemProperties()));
        node.set("properties", strings(message.properties()));
        String text = MessageBodies.utf8OrNull(message.body());
        node.put("bodyEncoding", text != null ? MessageBodies.UTF8 : MessageBodies.BASE64);
        node.put("body", text != null ? text : Base64.getEncoder().encodeToString(message.body()));
        return node;
    }

    private ObjectNode strings(Map<String, String> map) {
        ObjectNode node = mapper.createObjectNode();
        map.forEach(node::put);
        return node;
    }

    private static String endpoint(QueryParameters parameters) throws ApiException {
        String endpoint = parameters.get("endpoint");
        if (endpoint == null) {
            throw new ApiException(400, "the endpoint query parameter is missing: ?endpoint=<endpointId>, such as"
                    + " %24upstream or edge1%2Ffilter%2Finput1 (percent-encoded)");
        }
        if (endpoint.isBlank()) {
            throw new ApiException(400, "the endpoint query parameter is empty");
        }
        if (endpoint.chars().anyMatch(Character::isISOControl)) {
            throw new ApiException(400, "the endpoint query parameter holds control characters; no endpoint id does");
        }
        return endpoint;
    }

    private static int limit(QueryParameters parameters) throws ApiException {
        String limit = parameters.get("limit");
        if (limit == null) return DEFAULT_LIMIT;
        try {
            int n = Integer.parseInt(limit);
            if (n >= 1 && n <= MAX_LIMIT) return n;
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        throw new ApiException(400, "limit '" + limit + "' is not a whole number from 1 to " + MAX_LIMIT);
    }

    private static boolean isCollection(String path) {
        return path == null || path.equals("/");
    }

    private static ApiResponse noSuchResource() {
        return ApiResponse.error(404, "no such resource: use /api/deadletters?endpoint=<endpointId>"
                + " or /api/deadletters/requeue?endpoint=<endpointId>");
    }

    private static ApiResponse storeFailed(String what, String endpoint, StoreException e) {
        LOG.warn("The store could not {} the dead letters of {}: {}", what, endpoint, e.getMessage());
        return ApiResponse.error(STORE_FAILED, "the store could not " + what + " the dead letters of " + endpoint
                + ": " + e.getMessage());
    }

    private static ApiResponse unavailable() {
        return ApiResponse.unavailable("the message store", "io.gatehouse.store");
    }
}
