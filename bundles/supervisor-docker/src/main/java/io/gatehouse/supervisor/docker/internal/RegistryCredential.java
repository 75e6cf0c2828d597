package io.gatehouse.supervisor.docker.internal;

/** Credentials for one container registry. {@link #toString()} hides the password. */
record RegistryCredential(String name, String username, String password, String address) {

    @Override
    public String toString() {
        return "RegistryCredential[" + name + ": username=" + username + ", password=***, address=" + address + "]";
    }
}
