package io.gatehouse.headsupport.ingest;

import io.gatehouse.api.store.StoreException;

/**
 * No router or no store came within the wait: the hub's fault, not a full store. A head may
 * answer it differently from a store that refused the message.
 */
public final class ServiceUnavailableException extends StoreException {
    private static final long serialVersionUID = 1L;

    public ServiceUnavailableException(String message) {
        super(message);
    }
}
