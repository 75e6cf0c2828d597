package io.gatehouse.management.internal;

import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.MessageStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The first dead letters of an endpoint for one answer: at most {@code limit}, and no more message
 * bytes than a budget (the first letter always counts). The store hands out whole messages, from the
 * oldest, with no paging: asking it for a thousand 256 KiB messages at once would hold 256 MiB on a
 * gateway's small heap. So the page is read in growing steps that stop once the budget is passed.
 *
 * @param more whether the endpoint has dead letters beyond these
 */
record DeadLetterPage(List<DeadLetter> letters, boolean more) {
    static final int FIRST_READ = 16;
    /** Letters one step adds at most: 64 messages of 256 KiB are 16 MiB. */
    static final int MAX_STEP = 64;

    static DeadLetterPage read(MessageStore store, String endpointId, int limit, long bodyBudget) {
        // One more than the limit: whether there are more is then known without counting them all.
        int wanted = limit + 1;
        int ask = Math.min(wanted, FIRST_READ);
        List<DeadLetter> read = store.deadLetters(endpointId, ask);
        while (read.size() == ask && ask < wanted && bodyBytes(read) <= bodyBudget) {
            ask = Math.min(wanted, ask + Math.min(ask, MAX_STEP));
            read = store.deadLetters(endpointId, ask);
        }
        List<DeadLetter> page = new ArrayList<>();
        long bytes = 0;
        for (DeadLetter letter : read) {
            bytes += letter.message().body().length;
            if (page.size() == limit || (bytes > bodyBudget && !page.isEmpty())) {
                return new DeadLetterPage(List.copyOf(page), true);
            }
            page.add(letter);
        }
        return new DeadLetterPage(List.copyOf(page), false);
    }

    private static long bodyBytes(List<DeadLetter> letters) {
        long n = 0;
        for (DeadLetter letter : letters) n += letter.message().body().length;
        return n;
    }
}
