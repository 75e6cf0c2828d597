package io.gatehouse.management.internal;

import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.MessageStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The first dead letters of an endpoint for one answer: at most {@code limit}, and no more message
 * bytes than a budget (the first letter always counts). The store hands out whole messages, so the
 * page is read in steps of at most {@value #STEP} letters, each after the last one read, and
 * reading stops as soon as the limit or the budget is passed: asking for a thousand 256 KiB
 * messages at once would hold 256 MiB on a gateway's small heap.
 *
 * @param more whether the endpoint has dead letters beyond these
 */
record DeadLetterPage(List<DeadLetter> letters, boolean more) {
    /** Letters one step reads at most: 64 messages of 256 KiB are 16 MiB. */
    static final int STEP = 64;

    static DeadLetterPage read(MessageStore store, String endpointId, int limit, long bodyBudget) {
        List<DeadLetter> page = new ArrayList<>();
        long bytes = 0;
        long after = -1;
        while (true) {
            // One more than the limit: whether there are more is then known without counting them all.
            int ask = Math.min(STEP, limit + 1 - page.size());
            List<DeadLetter> step = store.deadLetters(endpointId, after, ask);
            for (DeadLetter letter : step) {
                bytes += letter.message().body().length;
                if (page.size() == limit || (bytes > bodyBudget && !page.isEmpty())) {
                    return new DeadLetterPage(List.copyOf(page), true);
                }
                page.add(letter);
            }
            if (step.size() < ask) return new DeadLetterPage(List.copyOf(page), false);
            after = step.get(step.size() - 1).sequence();
        }
    }
}
