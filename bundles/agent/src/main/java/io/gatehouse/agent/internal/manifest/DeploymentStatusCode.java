package io.gatehouse.agent.internal.manifest;

/** The reference's {@code lastDesiredStatus.code} values (DeploymentStatusCode). */
public enum DeploymentStatusCode {
    SUCCESSFUL(200),
    CONFIG_FORMAT_ERROR(400),
    UNKNOWN(406),
    INVALID_SCHEMA_VERSION(412),
    CONFIG_EMPTY_ERROR(417),
    FAILED(500);

    private final int code;

    DeploymentStatusCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
