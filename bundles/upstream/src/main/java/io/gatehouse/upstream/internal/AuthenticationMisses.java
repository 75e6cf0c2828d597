package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.AuthenticationMissListener;
import io.gatehouse.api.identity.IdentityId;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Component;

/**
 * Hears the authenticator's misses for the upstream component. A component of its own because
 * the upstream component publishes no service: its configuration (the device key) would become
 * service properties. Registered under this class too, so the upstream component (same bundle)
 * can bind it; until it does, misses are dropped.
 */
@Component(service = {AuthenticationMissListener.class, AuthenticationMisses.class})
public class AuthenticationMisses implements AuthenticationMissListener {
    private static final Consumer<IdentityId> NOBODY = id -> { };
    private volatile Consumer<IdentityId> target = NOBODY;

    @Override
    public void authenticationMissed(IdentityId claimed) {
        target.accept(claimed);
    }

    void forwardTo(Consumer<IdentityId> receiver) {
        target = receiver == null ? NOBODY : receiver;
    }
}
