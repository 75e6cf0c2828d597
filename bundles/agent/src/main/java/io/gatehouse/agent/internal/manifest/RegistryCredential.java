package io.gatehouse.agent.internal.manifest;

import java.util.Objects;

/** Credentials for one container registry. {@link #toString()} hides the password. */
public record RegistryCredential(String username, String password, String address) {

    public RegistryCredential {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(address, "address");
    }

    @Override
    public String toString() {
        return "RegistryCredential[username=" + username + ", password=***, address=" + address + "]";
    }
}
