package io.gatehouse.headsupport.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.headsupport.services.ServiceSlot;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RoutedAppendTest {
    private static final RouteTarget INPUT = new RouteTarget("edge1/sink/inputs/in1", 0, -1);
    private static final RouteTarget UPSTREAM = new RouteTarget("$upstream", 0, -1);

    private final ServiceSlot<MessageRouter> router = new ServiceSlot<>();
    private final ServiceSlot<MessageStore> store = new ServiceSlot<>();
    private final RoutedAppend append = new RoutedAppend(router, store, 200);

    /** Appends what it is given; {@code failure} makes the next append fail after {@code beforeFailing} ran. */
    static class Store implements MessageStore {
        final List<List<RouteTarget>> appended = new CopyOnWriteArrayList<>();
        volatile String failure;
        volatile Runnable beforeFailing = () -> { };

        @Override
        public void append(Message message, List<RouteTarget> targets) throws StoreException {
            if (failure != null) {
                beforeFailing.run();
                throw new StoreException(failure);
            }
            appended.add(targets);
        }

        @Override
        public QueueConsumer consume(String endpointIdOrPrefix) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<QueueStatus> queues() {
            return List.of();
        }

        @Override
        public List<DeadLetter> deadLetters(String endpointId, long afterSequence, int max) {
            return List.of();
        }

        @Override
        public long purgeDeadLetters(String endpointId) {
            return 0;
        }

        @Override
        public long requeueDeadLetters(String endpointId) {
            return 0;
        }
    }

    private static Message message() {
        return Message.builder().body("t".getBytes(StandardCharsets.UTF_8)).systemProperty("connectionDeviceId", "d1").build();
    }

    @Test
    void aMessageGoesToEveryTargetItRoutesToInOneAppend() throws Exception {
        Store s = new Store();
        router.set(m -> List.of(INPUT, UPSTREAM));
        store.set(s);
        append.routeAndAppend(message());
        assertThat(s.appended).containsExactly(List.of(INPUT, UPSTREAM));
    }

    @Test
    void aMessageThatRoutesNowhereIsDroppedWithoutAStore() throws Exception {
        router.set(m -> List.of());
        append.routeAndAppend(message());
        assertThat(store.get()).isNull();
    }

    @Test
    void aStoreReplacedUnderAnAppendHandsTheMessageToItsSuccessor() throws Exception {
        Store replaced = new Store();
        Store successor = new Store();
        router.set(m -> List.of(INPUT));
        store.set(replaced);
        replaced.failure = "queue is closed";
        replaced.beforeFailing = () -> {
            store.set(successor);
            store.clear(replaced);
        };
        append.routeAndAppend(message());
        assertThat(replaced.appended).isEmpty();
        assertThat(successor.appended).containsExactly(List.of(INPUT));
    }

    @Test
    void theStoreInServiceFailingIsAStorageFailureNotAMissingService() {
        Store full = new Store();
        full.failure = "disk full";
        router.set(m -> List.of(INPUT));
        store.set(full);
        assertThatThrownBy(() -> append.routeAndAppend(message()))
                .isInstanceOf(StoreException.class).isNotInstanceOf(ServiceUnavailableException.class)
                .hasMessage("disk full");
    }

    @Test
    void noRouterOrNoStoreWithinTheWaitIsAMissingService() {
        assertThatThrownBy(() -> append.routeAndAppend(message()))
                .isInstanceOf(ServiceUnavailableException.class).hasMessage("no router available for 200 ms");
        router.set(m -> List.of(INPUT));
        assertThatThrownBy(() -> append.routeAndAppend(message()))
                .isInstanceOf(ServiceUnavailableException.class).hasMessage("no store available for 200 ms");
    }

    @Test
    void aRouterAndAStoreThatComeWithinTheWaitAreUsed() throws Exception {
        RoutedAppend patient = new RoutedAppend(router, store, 10_000);
        Store s = new Store();
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try {
                patient.routeAndAppend(message());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        router.set(m -> List.of(INPUT));
        Thread.sleep(50);
        assertThat(sending).isNotDone();
        store.set(s);
        sending.get(5, TimeUnit.SECONDS);
        assertThat(s.appended).hasSize(1);
    }

    @Test
    void theIngestThreadRunsTasksInOrderAndRefusesOnceClosed() throws Exception {
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<String> names = new CopyOnWriteArrayList<>();
        IngestThread thread = new IngestThread("test-ingest");
        for (int i = 0; i < 5; i++) {
            int n = i;
            thread.execute(() -> {
                order.add(n);
                names.add(Thread.currentThread().getName());
            });
        }
        thread.close();
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
        assertThat(names).containsOnly("test-ingest");
        assertThatThrownBy(() -> thread.execute(() -> { }))
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    }
}
