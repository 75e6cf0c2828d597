package io.gatehouse.api.identity;

/**
 * A registered device or module with its symmetric keys (base64). Keys are secrets: never log
 * them; {@link #toString()} leaves them out.
 */
public record Identity(IdentityId id, String primaryKey, String secondaryKey) {

    @Override
    public String toString() {
        return "Identity[" + id + "]";
    }
}
