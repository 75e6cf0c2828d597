package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.store.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dead-letter servlet's own part: path info and raw query reach the API; answers are JSON no cache keeps. */
class DeadLettersServletTest {
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final DeadLettersServlet servlet = new DeadLettersServlet();

    {
        servlet.store = store;
        store.deadLetter("edge1/filter/input1", 0, 0, "bad", Message.builder().body("x".getBytes(StandardCharsets.UTF_8)).build());
    }

    private ServletExchange exchange(String method, String pathInfo, String query) {
        return new ServletExchange(method, "/api/deadletters" + (pathInfo == null ? "" : pathInfo), pathInfo, query,
                new byte[0], 0);
    }

    @Test
    void aListIsAnsweredAsJsonThatNoCacheKeeps() throws Exception {
        ServletExchange get = exchange("GET", null, "endpoint=edge1%2Ffilter%2Finput1&limit=5");
        servlet.doGet(get.request, get.response);

        assertThat(get.status).isEqualTo(200);
        assertThat(get.body()).startsWith("{\"endpointId\":\"edge1/filter/input1\",\"deadLetters\":[{\"sequence\":1,")
                .endsWith("\"bodyEncoding\":\"utf-8\",\"body\":\"x\"}],\"more\":false}");
        assertThat(get.headers).containsEntry("Content-Type", "application/json").containsEntry("Cache-Control", "no-store");
    }

    @Test
    void requeueIsAPostOnRequeueAndPurgeADeleteOnTheCollection() throws Exception {
        ServletExchange requeue = exchange("POST", "/requeue", "endpoint=edge1/filter/input1");
        servlet.doPost(requeue.request, requeue.response);
        assertThat(requeue.status).isEqualTo(200);
        assertThat(requeue.body()).isEqualTo("{\"endpointId\":\"edge1/filter/input1\",\"requeued\":1}");
        assertThat(requeue.bytesRead).isZero();

        ServletExchange purge = exchange("DELETE", null, "endpoint=edge1/filter/input1");
        servlet.doDelete(purge.request, purge.response);
        assertThat(purge.status).isEqualTo(200);
        assertThat(purge.body()).isEqualTo("{\"endpointId\":\"edge1/filter/input1\",\"purged\":0}");
    }

    @Test
    void aMissingEndpointIs400AndAStoreThatFailsUnexpectedlyIs500() throws Exception {
        ServletExchange missing = exchange("GET", null, null);
        servlet.doGet(missing.request, missing.response);
        assertThat(missing.status).isEqualTo(400);
        assertThat(missing.body()).contains("\"error\"", "endpoint query parameter is missing");

        servlet.store = new InMemoryMessageStore() {
            @Override
            public synchronized List<DeadLetter> deadLetters(String endpointId, long afterSequence, int max) {
                throw new IllegalStateException("queue file is locked");
            }
        };
        ServletExchange failed = exchange("GET", null, "endpoint=x");
        servlet.doGet(failed.request, failed.response);
        assertThat(failed.status).isEqualTo(500);
        assertThat(failed.body()).contains("internal error", "queue file is locked");
    }
}
