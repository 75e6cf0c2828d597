package io.gatehouse.headsupport.twin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.Twin;
import io.gatehouse.api.twin.TwinStore;
import io.gatehouse.headsupport.services.ServiceSlot;
import io.gatehouse.headsupport.twin.TwinRequestThread.Kind;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TwinRequestThreadTest {
    private static final IdentityId SINK = IdentityId.module("edge1", "sink");

    /** What the head would render: the status and either the twin, the version or the reason. */
    record Answer(int status, Object detail) {
    }

    private final ServiceSlot<TwinStore> store = new ServiceSlot<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private final TwinRequestThread<Answer> twins = new TwinRequestThread<>("Test twin requests", "test-twin", store, 2,
            new TwinRequestThread.Answers<>() {
                @Override
                public Answer twin(Twin twin) {
                    return new Answer(200, twin);
                }

                @Override
                public Answer reported(long version) {
                    return new Answer(204, version);
                }

                @Override
                public Answer failed(int status, String reason) {
                    return new Answer(status, reason);
                }
            });

    /** Answers from fields; {@code failure} is thrown by every call. */
    static final class Store implements TwinStore {
        volatile Exception failure;
        volatile CountDownLatch hold = new CountDownLatch(0);
        final List<String> patches = new CopyOnWriteArrayList<>();

        private void pass() throws IOException, InvalidTwinException {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failure instanceof IOException io) throw io;
            if (failure instanceof InvalidTwinException invalid) throw invalid;
            if (failure instanceof RuntimeException runtime) throw runtime;
        }

        @Override
        public void validate(String json) {
        }

        @Override
        public Twin get(IdentityId id) throws IOException {
            try {
                pass();
            } catch (InvalidTwinException e) {
                throw new IllegalStateException(e);
            }
            return new Twin("{}", 3, "{\"a\":1}", 7);
        }

        @Override
        public long patchReported(IdentityId id, String patchJson) throws InvalidTwinException, IOException {
            pass();
            patches.add(patchJson);
            return 8;
        }

        @Override
        public long patchDesired(IdentityId id, String patchJson) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long replaceDesired(IdentityId id, String desiredJson) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean remove(IdentityId id) {
            throw new UnsupportedOperationException();
        }
    }

    @AfterEach
    void close() {
        twins.close();
    }

    private Answer ask(Kind kind, String body) throws Exception {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        twins.submit(SINK, kind, body, a -> {
            threads.add(Thread.currentThread().getName());
            answer.complete(a);
        });
        return answer.get(5, TimeUnit.SECONDS);
    }

    @Test
    void getsAndReportedPatchesAreServedOnTheTwinThread() throws Exception {
        Store s = new Store();
        store.set(s);
        assertThat(ask(Kind.GET, "")).isEqualTo(new Answer(200, new Twin("{}", 3, "{\"a\":1}", 7)));
        assertThat(ask(Kind.PATCH_REPORTED, "{\"b\":2}")).isEqualTo(new Answer(204, 8L));
        assertThat(s.patches).containsExactly("{\"b\":2}");
        assertThat(threads).containsOnly("test-twin");
    }

    @Test
    void eachFailureHasItsStatusAndReason() throws Exception {
        assertThat(ask(Kind.GET, "")).isEqualTo(new Answer(503, "the twin store is not available, try again later"));
        Store s = new Store();
        store.set(s);
        s.failure = new InvalidTwinException("reported properties nest too deep");
        assertThat(ask(Kind.PATCH_REPORTED, "{}")).isEqualTo(new Answer(400, "reported properties nest too deep"));
        s.failure = new IOException("disk gone");
        assertThat(ask(Kind.GET, "")).isEqualTo(new Answer(503, "the twin store failed, try again later"));
        s.failure = new IllegalStateException("bug");
        assertThat(ask(Kind.PATCH_REPORTED, "{}")).isEqualTo(new Answer(500, "the twin store failed"));
        assertThat(s.patches).isEmpty();
        s.failure = null;
        assertThat(ask(Kind.GET, "").status()).as("served again").isEqualTo(200);
    }

    @Test
    void beyondTheQueueRequestsAreAnswered429AtOnceAndAfterCloseNotAtAll() throws Exception {
        Store s = new Store();
        s.hold = new CountDownLatch(1);
        store.set(s);
        List<Answer> answers = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 4; i++) twins.submit(SINK, Kind.GET, "", answers::add); // one served, two queued
        assertThat(answers).containsExactly(new Answer(429, "too many twin requests, try again later"));
        s.hold.countDown();
        twins.close();
        assertThat(answers).hasSize(4).filteredOn(a -> a.status() == 200).hasSize(3);
        twins.submit(SINK, Kind.GET, "", answers::add);
        assertThat(answers).hasSize(4);
    }
}
